/**
 * The fleet under the faults of the executor-bridge issue, on the sandbox with the real kubectl:
 * watches cut every 2 s, a forced 410, Tasks deleted or unlabelled behind its back, outages
 * shorter and longer than the grace period, and batches with one bad task.
 */
import { expect } from 'chai';
import type { JsonObject } from '../../src/json.ts';
import { TaskFleet, type FleetOptions } from '../../src/fleet/fleet.ts';
import type { FleetStatusUpdate } from '../../src/fleet/types.ts';
import { FLEET_TEMPLATE, checkUpdates, recordingKubectl } from '../helpers/fleet.ts';
import { startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const NS = 'faults';
const CYCLE = ['CONFIGURE', 'START', 'STOP', 'RESET'] as const;

describe('fleet under faults (sandbox + real kubectl)', function () {
  this.timeout(180_000);
  let cluster: TaskCluster;
  let fleet: TaskFleet;
  let updates: FleetStatusUpdate[];

  async function startFleet(ids: readonly string[], options: Partial<FleetOptions> = {}, env: Record<string, string> = {}): Promise<void> {
    const { kubectl } = recordingKubectl(cluster);
    fleet = new TaskFleet({ kubectl, namespace: NS, informerBackoff: { initialMs: 100, maxMs: 1000 }, ...options });
    updates = [];
    fleet.onStatus((u) => updates.push(u));
    await fleet.start();
    await Promise.all(ids.map((id) => fleet.launch({ taskId: id, template: { text: FLEET_TEMPLATE }, env: { TASK_NAME: id, ...env } })));
  }
  const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const task = (name: string): JsonObject => {
    const object = cluster.sandbox.store.get('tasks', NS, name);
    if (object === undefined) throw new Error(`no Task ${name}`);
    return object;
  };

  beforeEach(async () => {
    cluster = await startTaskCluster({ namespace: NS, delayMs: 0 });
  });
  afterEach(async () => {
    await fleet?.close();
    await cluster?.close();
  });

  it('loses no transition while the server closes every watch each 2 s', async () => {
    const names = ids('w', 20);
    await startFleet(names);
    // A first cut at once: the rounds may take less than 2 s on a fast machine.
    cluster.sandbox.faults.closeWatches();
    const cutter = setInterval(() => cluster.sandbox.faults.closeWatches(), 2000);
    try {
      for (let round = 0; round < 3; round++) {
        for (const event of CYCLE) await Promise.all(names.map((taskId) => fleet.transition({ taskId, event })));
      }
    } finally {
      clearInterval(cutter);
    }
    const expected = ['TASK_STARTING', 'standby', ...Array.from({ length: 3 }, () => ['configured', 'running', 'configured', 'standby']).flat()];
    for (const id of names) expect(checkUpdates(updates, id), id).to.deep.equal(expected);
    expect(fleet.informerRestarts).to.be.greaterThan(0);
  });

  it('relists after a forced 410 Expired and reports nothing twice', async () => {
    const names = ids('e', 10);
    await startFleet(names);
    await Promise.all(names.map((taskId) => fleet.transition({ taskId, event: 'CONFIGURE' })));
    const restarts = fleet.informerRestarts;
    cluster.sandbox.faults.expireWatches();
    // A change made while the informer relists must still arrive, exactly once.
    cluster.sandbox.store.put({ ...task('e0'), status: { state: 'error', error: 'boom while relisting' } });
    await Promise.all(names.slice(1).map((taskId) => fleet.transition({ taskId, event: 'START' })));
    expect(fleet.informerRestarts).to.be.greaterThan(restarts);
    expect(checkUpdates(updates, 'e0')).to.deep.equal(['TASK_STARTING', 'standby', 'configured', 'TASK_FAILED']);
    for (const id of names.slice(1)) expect(checkUpdates(updates, id), id).to.deep.equal(['TASK_STARTING', 'standby', 'configured', 'running']);
  });

  it('reports a Task deleted behind its back as TASK_LOST Deleted, one unlabelled as TASK_LOST Unmanaged, one killed by another kubectl-task as TASK_KILLED', async () => {
    await startFleet(['gone', 'unlabelled', 'other-kill', 'kept']);
    await cluster.kubectl.run(['delete', 'task', 'gone']);
    await cluster.kubectl.run(['label', 'task', 'unlabelled', 'app.kubernetes.io/managed-by-']);
    await cluster.kubectl.run(['annotate', 'task', 'other-kill', 'kubectl-task/killed-by=pid 1 on another-host']);
    await cluster.kubectl.run(['delete', 'task', 'other-kill']);
    const ended = (): FleetStatusUpdate[] => updates.filter((u) => u.state === 'TASK_LOST' || u.state === 'TASK_KILLED');
    await waitFor(() => ended().length === 3);
    expect(Object.fromEntries(ended().map((u) => [u.taskId, `${u.state} ${u.reason}`]))).to.deep.equal({
      gone: 'TASK_LOST Deleted',
      unlabelled: 'TASK_LOST Unmanaged',
      'other-kill': 'TASK_KILLED Killed',
    });
    // The lost stay known (ended) until killed, which removes what is left of them.
    expect(fleet.status().map((s) => [s.taskId, s.state])).to.deep.equal([
      ['gone', 'TASK_LOST'],
      ['unlabelled', 'TASK_LOST'],
      ['kept', 'TASK_RUNNING'],
    ]);
    expect(await fleet.kill('unlabelled')).to.equal('TASK_LOST');
    expect(await fleet.kill('gone')).to.equal('TASK_LOST');
    expect(cluster.sandbox.store.get('tasks', NS, 'unlabelled')).to.equal(undefined);
    expect(['gone', 'unlabelled'].map((n) => cluster.sandbox.store.get('configmaps', NS, `${n}-config`))).to.deep.equal([undefined, undefined]);
    expect(fleet.status().map((s) => s.taskId)).to.deep.equal(['kept']);
  });

  it('keeps every state through an outage shorter than the grace period, and reconverges after it', async () => {
    const names = ids('s', 5);
    await startFleet(names, { unreachableGraceMs: 60_000 });
    const outage = cluster.sandbox.faults.refuseConnections(20_000);
    await sleep(500);
    // What the Task reached meanwhile (the task manager is in-process, the store is reachable).
    cluster.sandbox.store.put({ ...task('s1'), status: { state: 'error', error: 'failed during the outage' } });
    await outage;
    await waitFor(() => updates.some((u) => u.taskId === 's1' && u.state === 'TASK_FAILED'), 60_000);
    expect(updates.filter((u) => ['TASK_UNREACHABLE', 'TASK_LOST'].includes(u.state))).to.deep.equal([]);
    expect(updates.filter((u) => u.state === 'TASK_FAILED').map((u) => u.taskId)).to.deep.equal(['s1']);
    await fleet.transition({ taskId: 's0', event: 'CONFIGURE' });
  });

  it('turns tasks TASK_UNREACHABLE after the grace period, then TASK_RUNNING when the server is back', async () => {
    const names = ids('u', 3);
    await startFleet(names, { unreachableGraceMs: 5_000 });
    await cluster.sandbox.faults.refuseConnections(12_000);
    await waitFor(
      () => names.every((id) => checkUpdates(updates, id).at(-1) === 'standby' && updates.some((u) => u.taskId === id && u.state === 'TASK_UNREACHABLE')),
      60_000,
    );
    for (const id of names) {
      expect(checkUpdates(updates, id), id).to.deep.equal(['TASK_STARTING', 'standby', 'TASK_UNREACHABLE', 'standby']);
      expect(updates.find((u) => u.taskId === id && u.state === 'TASK_UNREACHABLE')?.reason).to.equal('Unreachable');
    }
  });

  it('fails only the invalid task of a batch of 50; a batched transition keeps every other field byte-identical', async () => {
    const names = ids('b', 50);
    const { kubectl, spawns } = recordingKubectl(cluster);
    fleet = new TaskFleet({ kubectl, namespace: NS });
    updates = [];
    fleet.onStatus((u) => updates.push(u));
    await fleet.start();
    const before = spawns.length;
    const results = await Promise.allSettled(
      names.map((id) => fleet.launch({ taskId: id, template: { text: FLEET_TEMPLATE }, env: { TASK_NAME: id, STATE: id === 'b17' ? 'bogus' : 'standby' } })),
    );
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [[names[i], (r.reason as Error).message]] : []));
    expect(failed.map(([id]) => id)).to.deep.equal(['b17']);
    expect(failed[0]?.[1]).to.match(/spec\.state: Unsupported value: "bogus"/);
    expect(
      spawns.length - before,
      spawns
        .slice(before)
        .map((a) => a.join(' '))
        .join('\n'),
    ).to.be.at.most(3);
    expect(cluster.sandbox.store.get('tasks', NS, 'b17')).to.equal(undefined);
    expect(cluster.sandbox.store.get('configmaps', NS, 'b17-config')).to.equal(undefined);
    const live = names.filter((id) => id !== 'b17');
    const kept = (o: JsonObject): string => {
      const { spec, metadata } = o as { spec: JsonObject; metadata: JsonObject };
      const { state: _s, arguments: _a, ...rest } = spec;
      return JSON.stringify([metadata['labels'], metadata['annotations'], rest]);
    };
    const beforeFields = new Map(live.map((id) => [id, kept(task(id))]));
    await Promise.all(live.map((taskId) => fleet.transition({ taskId, event: 'CONFIGURE', arguments: { environment_id: 'E1' } })));
    for (const id of live) {
      expect(kept(task(id)), id).to.equal(beforeFields.get(id));
      expect((task(id)['spec'] as JsonObject)['arguments']).to.deep.equal({ environment_id: 'E1' });
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}
