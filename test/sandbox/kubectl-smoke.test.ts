/**
 * The slice other modules depend on, with the real kubectl: the helper's sandbox (project CRD),
 * apply of a Task, `kubectl get tasks` with printer columns, a status patch, watch and delete.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { until } from './sandbox-client.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('sandbox with the real kubectl', function () {
  this.timeout(60_000);
  let t: TestSandbox;
  const kubectl = (args: string[], stdin = '') =>
    new Promise<Run>((resolve) => {
      const child = spawn(process.env['KUBECTL'] ?? 'kubectl', args, { env: t.env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdin.end(stdin);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  before(async () => {
    t = await startTestSandbox();
  });
  after(() => t.cleanup());

  it('applies a Task and lists it with the CRD columns', async () => {
    const manifest = join(dirname(t.kubeconfig), 'task.yaml');
    await writeFile(
      manifest,
      `apiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\nmetadata:\n  name: t1\nspec:\n  state: standby\n  control:\n    mode: direct\n    port: 31000\n`,
    );
    const apply = await kubectl(['apply', '-f', manifest]);
    expect(apply).to.deep.include({ code: 0, stdout: 'task.aliecs.alice.cern/t1 created\n', stderr: '' });
    const status = await kubectl(['patch', 'task', 't1', '--subresource=status', '--type=merge', '-p', '{"status":{"state":"RUNNING"}}']);
    expect(status.stdout).to.equal('task.aliecs.alice.cern/t1 patched\n');
    const get = await kubectl(['get', 'tasks']);
    expect(get.code).to.equal(0);
    const [header, row] = get.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(header).to.deep.equal(['NAME', 'DESIRED', 'ACTUAL', 'AGE']);
    expect(row!.slice(0, 3)).to.deep.equal(['t1', 'standby', 'RUNNING']);
    expect(get.stderr).to.equal('');
  });

  it('streams watch events to kubectl get -w and deletes', async () => {
    const child = spawn(process.env['KUBECTL'] ?? 'kubectl', ['get', 'task', 't1', '-w', '-o', 'jsonpath={.status.state}{"\\n"}'], { env: t.env });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await until(() => t.sandbox.requestLog.count({ verb: 'watch' }) > 0, 'the watch', 15_000);
    await kubectl(['patch', 'task', 't1', '--subresource=status', '--type=merge', '-p', '{"status":{"state":"STANDBY"}}']);
    await until(() => out === 'RUNNING\nSTANDBY\n', `watch output (got ${JSON.stringify(out)})`, 15_000);
    child.kill('SIGINT');
    const del = await kubectl(['delete', 'task', 't1']);
    expect(del.stdout).to.equal('task.aliecs.alice.cern "t1" deleted\n');
    expect(t.sandbox.store.list('tasks', t.namespace)).to.deep.equal([]);
  });
});
