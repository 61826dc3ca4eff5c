/**
 * faults.expireWatches(): every open watch gets one 410 Expired ERROR event and is closed, and the
 * history is compacted, as when watchers fall behind an etcd compaction. Checked over HTTP and with
 * the real kubectl, whose reaction kubectl-task has to live with.
 */
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { sandboxPerTest, until, watch, type Call } from '../sandbox-client.ts';

const TASKS = '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks';
const task = (name: string) => ({ apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { name }, spec: { state: 'standby' } });

/** The Status object of the ERROR event a real apiserver sends for a compacted resourceVersion. */
const expired = (seen: number, horizon: number) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: `too old resource version: ${seen} (${horizon})`,
  reason: 'Expired',
  code: 410,
});

describe('sandbox faults: expireWatches', function () {
  this.timeout(30_000);
  const ctx = sandboxPerTest({ crd: 'project' });
  const call: Call = (method, path, options) => ctx.call(method, path, options);

  it('sends every open watch one ERROR event for the last resourceVersion it saw, then ends it', async () => {
    await call('POST', TASKS, { body: task('a') });
    const start = ctx.sandbox.store.resourceVersion;
    const quiet = watch(ctx.sandbox, `${TASKS}?watch=true&resourceVersion=${start}`);
    const busy = watch(ctx.sandbox, `${TASKS}?watch=true&resourceVersion=0&labelSelector=x%3Dy`);
    await Promise.all([quiet.opened, busy.opened]);
    await call('POST', TASKS, { body: task('b') });
    await until(() => quiet.events.length === 1, 'the ADDED event for b');
    const current = ctx.sandbox.store.resourceVersion;
    ctx.sandbox.faults.expireWatches();
    await until(() => quiet.ended && busy.ended, 'both streams to end');
    expect(quiet.events.map((e) => e.type)).to.deep.equal(['ADDED', 'ERROR']);
    expect(quiet.events[1]!.object).to.deep.equal(expired(current, current));
    // The selector watch saw nothing since it started (at `start`, b does not match).
    expect(busy.events).to.deep.equal([{ type: 'ERROR', object: expired(start, current) }]);
  });

  it('compacts the history: resuming from an older resourceVersion is 410, from the current one works', async () => {
    const before = ctx.sandbox.store.resourceVersion;
    await call('POST', TASKS, { body: task('a') });
    ctx.sandbox.faults.expireWatches();
    const current = ctx.sandbox.store.resourceVersion;
    const old = watch(ctx.sandbox, `${TASKS}?watch=true&resourceVersion=${before}`);
    await until(() => old.ended, 'the old watch to be refused');
    expect(old.events).to.deep.equal([{ type: 'ERROR', object: expired(before, current) }]);
    const fresh = watch(ctx.sandbox, `${TASKS}?watch=true&resourceVersion=${current}`);
    await fresh.opened;
    await call('POST', TASKS, { body: task('b') });
    await until(() => fresh.events.length === 1, 'the event after the compaction');
    expect(fresh.events[0]!.type).to.equal('ADDED');
    expect(fresh.ended).to.equal(false);
    fresh.stop();
  });

  /**
   * What kubectl does with it: `get --watch -o json --output-watch-events` prints the ERROR event
   * as one more compact JSON line, holding the Status, and exits 0 with nothing on stderr, without
   * watching again. A caller must therefore read ERROR lines itself (and list again).
   */
  it('real kubectl get --watch prints the ERROR event as a JSON line and exits 0 without re-watching', async () => {
    await call('POST', TASKS, { body: task('a') });
    const child = spawn('kubectl', ['get', 'tasks', '--watch', '-o', 'json', '--output-watch-events'], { env: ctx.test.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await until(() => ctx.sandbox.requestLog.count({ verb: 'watch' }) === 1, 'kubectl to start watching', 15_000);
      await until(() => stdout.split('\n').length > 1, 'the ADDED line for a', 15_000);
      await call('POST', TASKS, { body: task('b') });
      await until(() => stdout.split('\n').length > 2, 'the ADDED line for b', 15_000);
      const current = ctx.sandbox.store.resourceVersion;
      ctx.sandbox.faults.expireWatches();
      const code = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 10_000))]);
      expect(code, 'kubectl should end by itself when the stream ends').to.equal(0);
      expect(stderr).to.equal('');
      const lines = stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; object: Record<string, unknown> });
      expect(lines.map((l) => l.type)).to.deep.equal(['ADDED', 'ADDED', 'ERROR']);
      expect(lines[2]!.object).to.deep.equal(expired(current, current));
      expect(ctx.sandbox.requestLog.count({ verb: 'watch' }), 'kubectl does not watch again').to.equal(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('real kubectl get --watch with table output prints the Status as a table row', async () => {
    await call('POST', TASKS, { body: task('a') });
    const child = spawn('kubectl', ['get', 'tasks', '--watch'], { env: ctx.test.env });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await until(() => ctx.sandbox.requestLog.count({ verb: 'watch' }) === 1 && stdout.includes('\na '), 'kubectl to print a and watch', 15_000);
      const current = ctx.sandbox.store.resourceVersion;
      ctx.sandbox.faults.expireWatches();
      expect(await exited).to.equal(0);
      expect(
        stdout
          .split('\n')
          .slice(-3)
          .map((l) => l.split(/\s{2,}/).join('|')),
      ).to.deep.equal(['STATUS|REASON|MESSAGE', `Failure|Expired|too old resource version: ${current} (${current})`, '']);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
