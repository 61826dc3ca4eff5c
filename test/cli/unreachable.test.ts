import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { classify } from '../../src/kubectl/classify.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { captureOut } from '../helpers/capture.ts';
import { repoRoot } from '../helpers/task-cluster.ts';

/** A port nothing listens on: bound by us, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

describe('cli: an unreachable cluster is one line, in our words (real kubectl)', function () {
  this.timeout(90_000);
  let dir: string;
  let kubeconfig: string;
  const template = path.join(repoRoot, 'templates', 'example.yaml');

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-task-unreachable-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    // https, as a real cluster: kubectl first fails discovery, logging klog lines from memcache.go.
    await writeFile(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "https://127.0.0.1:${await closedPort()}"}}]
users: [{name: u, user: {token: not-a-real-token}}]
contexts: [{name: dead, context: {cluster: dead, user: u, namespace: gone}}]
current-context: dead
`,
    );
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = captureOut();
    const code = await main(argv, { out, signal: new AbortController().signal });
    return { code, stdout: out.stdoutText(), stderr: out.stderrText() };
  }

  function expectOneUnreachableLine(stderr: string): void {
    expect(stderr.trimEnd().split('\n'), stderr).to.have.length(1);
    expect(stderr).to.match(/^error: .*Unreachable/);
    expect(stderr).to.not.contain('memcache.go');
    expect(stderr).to.not.match(/^[IWEF]\d{4} /m);
    expect(stderr).to.not.contain('--validate');
  }

  const common = (): string[] => ['-f', template, '--env', 'TASK_NAME=t1', '--kubeconfig', kubeconfig, '-n', 'gone'];

  it('kill, status and watch: no klog lines from client-go discovery', async () => {
    for (const command of ['kill', 'status', 'watch']) {
      const r = await run(command, ...common());
      expect(r.code, `${command}: ${r.stderr}`).to.equal(3);
      expectOneUnreachableLine(r.stderr);
    }
  });

  it('launch: no advice to pass --validate=false, which kubectl-task cannot pass', async () => {
    const r = await run('launch', ...common());
    expect(r.code, r.stderr).to.equal(3);
    expectOneUnreachableLine(r.stderr);
  });

  it('library: the KubectlError of an unreachable apply carries neither klog lines nor the flag advice', async () => {
    const k = new Kubectl({ kubeconfig, retry: false, env: { ...process.env, KUBECACHEDIR: path.join(dir, 'cache') } });
    const result = await k.tryRun(['apply', '-f', '-', '-o', 'json'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n' });
    // What kubectl printed, so the test notices when a kubectl release stops giving the advice.
    expect(result.stderr).to.contain('--validate=false');
    const failure = classify(result);
    expect(failure?.reason).to.equal('Unreachable');
    expect(failure?.message).to.not.contain('--validate');
    expect(failure?.message).to.match(/^kubectl apply: Unreachable: .*connection refused$/);
  });
});
