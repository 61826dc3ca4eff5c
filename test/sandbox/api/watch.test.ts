import { expect } from 'chai';
import { sandboxPerTest, until, watch, type Call } from '../sandbox-client.ts';

const TASKS = '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks';
const task = (name: string) => ({ apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { name }, spec: { state: 'standby' } });
const nameOf = (e: { object: Record<string, unknown> }) => (e.object['metadata'] as { name: string }).name;

describe('sandbox watches', function () {
  this.timeout(20_000);
  const ctx = sandboxPerTest({ crd: 'project', watchHistory: 5 });
  const call: Call = (method, path, options) => ctx.call(method, path, options);

  it('replays current objects as ADDED for resourceVersion=0, then streams changes', async () => {
    await call('POST', TASKS, { body: task('a') });
    const w = watch(ctx.sandbox, `${TASKS}?watch=true&resourceVersion=0`);
    expect(await w.opened).to.equal(200);
    await until(() => w.events.length === 1, 'replayed ADDED');
    await call('PATCH', `${TASKS}/a/status`, { body: { status: { state: 'RUNNING' } }, contentType: 'application/merge-patch+json' });
    await call('POST', TASKS, { body: task('b') });
    await call('DELETE', `${TASKS}/a`);
    await until(() => w.events.length === 4, 'four events');
    expect(w.events.map((e) => `${e.type} ${nameOf(e)}`)).to.deep.equal(['ADDED a', 'MODIFIED a', 'ADDED b', 'DELETED a']);
    w.stop();
  });

  it('resumes from a resourceVersion and filters by metadata.name', async () => {
    const list = await call('GET', TASKS);
    const rv = (list.json['metadata'] as { resourceVersion: string }).resourceVersion;
    await call('POST', TASKS, { body: task('a') });
    await call('POST', TASKS, { body: task('b') });
    const w = watch(ctx.sandbox, `${TASKS}?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Db`);
    await w.opened;
    await until(() => w.events.length === 1, 'the event for b');
    expect(nameOf(w.events[0]!)).to.equal('b');
    w.stop();
  });

  it('sends 410 Expired as an ERROR event when the resourceVersion left the history', async () => {
    const rv = ctx.sandbox.store.resourceVersion;
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await call('POST', TASKS, { body: task(n) });
    const w = watch(ctx.sandbox, `${TASKS}?watch=true&resourceVersion=${rv}`);
    await w.opened;
    await until(() => w.ended, 'the stream to end');
    expect(w.events).to.have.length(1);
    expect(w.events[0]!.type).to.equal('ERROR');
    expect(w.events[0]!.object['code']).to.equal(410);
    expect(w.events[0]!.object['message']).to.match(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('ends at timeoutSeconds and on faults.closeWatches()', async () => {
    const timed = watch(ctx.sandbox, `${TASKS}?watch=true&timeoutSeconds=1`);
    const open = watch(ctx.sandbox, `${TASKS}?watch=true`);
    await Promise.all([timed.opened, open.opened]);
    await until(() => timed.ended, 'the timeout', 5000);
    expect(open.ended).to.equal(false);
    ctx.sandbox.faults.closeWatches();
    await until(() => open.ended, 'closeWatches');
  });

  it('turns label changes into ADDED/DELETED for a selector watch', async () => {
    await call('POST', TASKS, { body: task('a') });
    const w = watch(ctx.sandbox, `${TASKS}?watch=true&labelSelector=team%3Dx`);
    await w.opened;
    const label = (value: string | null) =>
      call('PATCH', `${TASKS}/a`, { body: { metadata: { labels: { team: value } } }, contentType: 'application/merge-patch+json' });
    await label('x');
    await label('y');
    await until(() => w.events.length === 2, 'two events');
    expect(w.events.map((e) => e.type)).to.deep.equal(['ADDED', 'DELETED']);
    w.stop();
  });

  it('sends a BOOKMARK with the current resourceVersion before a timeout when allowed', async () => {
    const w = watch(ctx.sandbox, `${TASKS}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1`);
    await w.opened;
    await until(() => w.ended, 'the timeout', 5000);
    expect(w.events.map((e) => e.type)).to.deep.equal(['BOOKMARK']);
    expect(w.events[0]!.object).to.deep.equal({
      kind: 'Task',
      apiVersion: 'aliecs.alice.cern/v1alpha1',
      metadata: { resourceVersion: String(ctx.sandbox.store.resourceVersion) },
    });
  });

  it('ends open watches when the sandbox closes', async () => {
    const w = watch(ctx.sandbox, `${TASKS}?watch=true`);
    await w.opened;
    await ctx.sandbox.close();
    await until(() => w.ended, 'the stream to end on close');
  });

  it('counts watches in the request log as they start', async () => {
    const w = watch(ctx.sandbox, `${TASKS}?watch=true`);
    await w.opened;
    await until(() => ctx.sandbox.requestLog.count({ verb: 'watch' }) === 1, 'the logged watch');
    w.stop();
  });
});
