/**
 * Error messages as kube-apiserver 1.26.1 words them (kubernetes/apiserver, apimachinery and
 * apiextensions-apiserver at kubernetes-1.26.1 / v0.26.1), where the sandbox used to word them
 * like a later release or in its own words. Through the real kubectl where kubectl shows the
 * message, else over HTTP. Each test names the upstream function the wording comes from.
 */
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { client, type Call } from './sandbox-client.ts';

const NS = 'msgs';
const TASKS = `/apis/aliecs.alice.cern/v1alpha1/namespaces/${NS}/tasks`;

const task = (name: string, spec = '{state: standby}') => `apiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

describe('sandbox fidelity: 1.26 error messages', function () {
  this.timeout(60_000);
  let test: TestSandbox;
  let call: Call;
  before(async () => {
    test = await startTestSandbox({ namespace: NS, tls: false });
    call = client(test.sandbox);
  });
  after(async () => {
    await test?.cleanup();
  });

  function kubectl(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn('kubectl', ['--context', 'admin', ...args], { env: test.env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin);
    });
  }

  describe('server-side apply', () => {
    it('a conflict carries only its causes in details (errors.NewApplyConflict)', async () => {
      expect((await kubectl(['apply', '--server-side', '-f', '-'], task('ssa1'))).code).to.equal(0);
      const res = await call('PATCH', `${TASKS}/ssa1?fieldManager=other`, { body: task('ssa1', '{state: running}'), contentType: 'application/apply-patch+yaml' });
      expect(res.status).to.equal(409);
      expect(res.json).to.deep.equal({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.state',
        reason: 'Conflict',
        details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.state' }] },
        code: 409,
      });
    });
  });
});
