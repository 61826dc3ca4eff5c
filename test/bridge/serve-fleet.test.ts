/**
 * The bridge in front of the real engine, on the sandbox with the real kubectl: 200 tasks through
 * one bridge (spawns counted through the injected runner), and a `serve` process killed with
 * SIGKILL and restarted, which must reattach to its tasks without applying anything.
 */
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { BridgeClient, spawnBridge } from '../../src/bridge/client.ts';
import type { StatusMessage } from '../../src/bridge/messages.ts';
import { serveBridge } from '../../src/bridge/server.ts';
import { TaskFleet } from '../../src/fleet/fleet.ts';
import type { FleetStatusUpdate } from '../../src/fleet/types.ts';
import { FLEET_TEMPLATE, checkUpdates, recordingKubectl } from '../helpers/fleet.ts';
import { startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const asUpdates = (messages: readonly StatusMessage[]): FleetStatusUpdate[] => messages.map(({ type: _type, ...u }) => u);

describe('bridge + fleet (sandbox + real kubectl)', function () {
  this.timeout(300_000);
  let cluster: TaskCluster;

  beforeEach(async () => {
    cluster = await startTaskCluster({ namespace: 'serve', delayMs: 0 });
  });
  afterEach(async () => {
    await cluster?.close();
  });

  it('runs 200 tasks through one bridge: one watch, at most 3 spawns per launch batch, one terminal status each', async () => {
    const { kubectl, spawns, streams } = recordingKubectl(cluster);
    const fleet = new TaskFleet({ kubectl, namespace: 'serve' });
    const toBridge = new PassThrough();
    const fromBridge = new PassThrough();
    const served = serveBridge({ engine: fleet, input: toBridge, output: fromBridge, log: () => {} });
    const client = new BridgeClient({ input: fromBridge, output: toBridge });
    const statuses: StatusMessage[] = [];
    client.onStatus((s) => statuses.push(s));
    await client.ready;
    const ids = Array.from({ length: 200 }, (_, i) => `s${i}`);
    const before = spawns.length;
    const launched = await Promise.all(ids.map((taskId) => client.launch({ taskId, manifest: FLEET_TEMPLATE, env: { TASK_NAME: taskId } })));
    expect(launched.map((l) => l.state)).to.deep.equal(ids.map(() => 'TASK_RUNNING'));
    const launchSpawns = spawns.slice(before).filter((argv) => !argv.includes('--raw'));
    const batches = Math.ceil(ids.length / 100);
    expect(launchSpawns.length, launchSpawns.map((a) => a.slice(0, 8).join(' ')).join('\n')).to.be.at.most(3 * batches);
    for (const event of ['CONFIGURE', 'START', 'STOP', 'RESET']) {
      await Promise.all(ids.map((taskId) => client.transition({ taskId, event })));
    }
    const killed = await Promise.all(ids.map((taskId) => client.kill(taskId)));
    expect(killed.map((k) => k.state)).to.deep.equal(ids.map(() => 'TASK_KILLED'));
    expect(streams, 'monitoring: one long-lived kubectl for the namespace').to.have.length(1);
    const updates = asUpdates(statuses);
    for (const id of ids) {
      expect(checkUpdates(updates, id), id).to.deep.equal(['TASK_STARTING', 'standby', 'configured', 'running', 'configured', 'standby', 'TASK_KILLED']);
    }
    await client.close();
    await served;
  });

  it('reattaches after SIGKILL without applying anything, then transitions and kills what it found', async () => {
    const args = ['--kubeconfig', cluster.kubeconfig, '--context', 'admin', '-n', 'serve', '--executor-id', 'ex1'];
    const env = { KUBECONFIG: cluster.kubeconfig };
    const first = spawnBridge({ args, env, stderr: 'ignore' });
    await first.ready;
    const ids = ['r1', 'r2', 'r3'];
    await Promise.all(ids.map((taskId) => first.launch({ taskId, manifest: FLEET_TEMPLATE, env: { TASK_NAME: taskId } })));
    await first.transition({ taskId: 'r1', event: 'CONFIGURE' });
    first.child?.kill('SIGKILL');
    await first.ended;

    cluster.sandbox.requestLog.clear();
    const second = spawnBridge({ args, env, stderr: 'ignore' });
    const statuses: StatusMessage[] = [];
    second.onStatus((s) => statuses.push(s));
    const ready = await second.ready;
    expect([...ready.reattached].sort()).to.deep.equal(ids);
    const status = await second.status();
    expect(Object.fromEntries(status.tasks.map((t) => [t.taskId, t.taskState]))).to.deep.equal({ r1: 'configured', r2: 'standby', r3: 'standby' });
    const writes = cluster.sandbox.requestLog.entries.filter((e) => e.method !== 'GET');
    expect(writes, 'no write at all while reattaching').to.deep.equal([]);
    await second.transition({ taskId: 'r1', event: 'START' });
    expect(await Promise.all(ids.map((taskId) => second.kill(taskId)))).to.have.length(3);
    expect(cluster.sandbox.store.list('tasks', 'serve')).to.deep.equal([]);
    expect(
      cluster.sandbox.store.list('configmaps', 'serve').filter((c) => /^r\d-config$/.test(String((c['metadata'] as { name: string }).name))),
    ).to.deep.equal([]);
    expect(
      statuses
        .filter((s) => s.state === 'TASK_KILLED')
        .map((s) => s.taskId)
        .sort(),
    ).to.deep.equal(ids);
    await second.close();
  });

  it('on SIGTERM answers what is in flight, leaves the Tasks running and exits 0', async () => {
    const args = ['--kubeconfig', cluster.kubeconfig, '--context', 'admin', '-n', 'serve'];
    const bridge = spawnBridge({ args, env: { KUBECONFIG: cluster.kubeconfig }, stderr: 'ignore' });
    await bridge.ready;
    await Promise.all(['t1', 't2'].map((taskId) => bridge.launch({ taskId, manifest: FLEET_TEMPLATE, env: { TASK_NAME: taskId } })));
    const exited = new Promise<number | null>((resolve) => bridge.child?.once('exit', (code) => resolve(code)));
    const inFlight = bridge.transition({ taskId: 't1', event: 'CONFIGURE' }).then(
      (result) => result.taskState,
      (error: unknown) => (error as { reason?: string }).reason,
    );
    bridge.child?.kill('SIGTERM');
    expect(await inFlight).to.be.oneOf(['configured', 'ShuttingDown']);
    expect(await exited).to.equal(0);
    expect(
      cluster.sandbox.store
        .list('tasks', 'serve')
        .map((t) => (t['metadata'] as { name: string }).name)
        .sort(),
    ).to.deep.equal(['t1', 't2']);
  });
});
