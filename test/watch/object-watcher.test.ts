import { expect } from 'chai';
import { watchObject, type WatchEvent } from '../../src/watch/object-watcher.ts';
import { startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const TASK = (name: string) => `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: ${name}
spec:
  state: standby
`;

describe('watch/object-watcher (sandbox + real kubectl)', function () {
  this.timeout(60_000);
  let cluster: TaskCluster;
  before(async () => {
    cluster = await startTaskCluster({ namespace: 'w' });
  });
  after(async () => {
    await cluster?.close();
  });
  afterEach(() => cluster.sandbox.faults.reset());

  const ref = (name: string) => ({ apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name, namespace: 'w' });
  const states = (events: WatchEvent[]) =>
    events.flatMap((e) => (e.type === 'observed' ? [((e.object['status'] ?? {}) as { state?: string }).state ?? '-'] : [e.type]));

  it('follows changes, survives a server-side stream close, and ends on delete', async () => {
    await cluster.kubectl.run(['apply', '-f', '-'], { stdin: TASK('w1') });
    const events: WatchEvent[] = [];
    const watcher = watchObject({ kubectl: cluster.kubectl, ref: ref('w1'), onEvent: (e) => events.push(e), backoff: { initialMs: 20, maxMs: 100 } });
    await until(() => states(events).includes('standby'));
    cluster.sandbox.faults.closeWatches();
    await cluster.kubectl.run(['patch', 'task.v1alpha1.aliecs.alice.cern/w1', '--type=merge', '-p', '{"spec":{"state":"configured"}}']);
    await until(() => states(events).includes('configured'));
    expect(events.filter((e) => e.type === 'error')).to.have.length(0);
    await cluster.kubectl.run(['delete', 'task.v1alpha1.aliecs.alice.cern/w1']);
    await watcher.done;
    expect(events.at(-1)).to.deep.equal({ type: 'deleted' });
    expect(watcher.mode).to.equal('stopped');
  });

  it('falls back to polling when watching keeps failing, and the error count resets on success', async () => {
    await cluster.kubectl.run(['apply', '-f', '-'], { stdin: TASK('w2') });
    // The list+watch goes to the collection path; the GET of the object itself keeps working.
    cluster.sandbox.faults.failNext({ count: 1000, status: 500, method: 'GET', path: /\/namespaces\/w\/tasks$/ });
    const events: WatchEvent[] = [];
    const errors = () => events.flatMap((e) => (e.type === 'error' ? [e.consecutive] : []));
    const watcher = watchObject({
      kubectl: cluster.kubectl,
      ref: ref('w2'),
      onEvent: (e) => events.push(e),
      backoff: { initialMs: 10, maxMs: 20 },
      watchFailuresBeforePolling: 2,
      errorLimit: 3,
      pollIntervalMs: 50,
      pollsBeforeRewatch: 3,
    });
    await until(() => watcher.mode === 'poll' && events.some((e) => e.type === 'observed' && e.via === 'poll'));
    expect(errors()).to.deep.equal([1, 2]);
    await cluster.kubectl.run(['patch', 'task.v1alpha1.aliecs.alice.cern/w2', '--type=merge', '-p', '{"spec":{"state":"configured"}}']);
    await until(() => states(events).includes('configured'));
    // After three polls it tries to watch again, fails once more, and is back to polling: the
    // successful polls reset the count, so the limit of 3 is never reached.
    await until(() => errors().length >= 3 && watcher.mode === 'poll');
    expect(errors()[2]).to.equal(1);
    expect(events.some((e) => e.type === 'gave-up')).to.equal(false);
    await watcher.stop();
    expect(watcher.mode).to.equal('stopped');
  });

  it('reports an object that is not there (a list that prints nothing) as deleted', async () => {
    const events: WatchEvent[] = [];
    const watcher = watchObject({ kubectl: cluster.kubectl, ref: ref('ghost'), onEvent: (e) => events.push(e), absenceCheckMs: 200 });
    await watcher.done;
    expect(events).to.deep.equal([{ type: 'deleted' }]);
  });

  it('gives up after the consecutive-error limit', async () => {
    await cluster.kubectl.run(['apply', '-f', '-'], { stdin: TASK('w3') });
    cluster.sandbox.faults.failNext({ count: 1000, status: 403, method: 'GET', path: /\/tasks/ });
    const events: WatchEvent[] = [];
    const watcher = watchObject({
      kubectl: cluster.kubectl,
      ref: ref('w3'),
      onEvent: (e) => events.push(e),
      backoff: { initialMs: 10, maxMs: 20 },
      errorLimit: 2,
      pollIntervalMs: 20,
      watchFailuresBeforePolling: 1,
    });
    await watcher.done;
    const last = events.at(-1);
    expect(last?.type).to.equal('gave-up');
    expect(last?.type === 'gave-up' ? last.error.reason : '').to.equal('Forbidden');
  });
});

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
