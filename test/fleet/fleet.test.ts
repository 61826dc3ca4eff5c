import { expect } from 'chai';
import { getObject } from '../../src/kubectl/commands.ts';
import { TaskFleet } from '../../src/fleet/fleet.ts';
import type { FleetStatusUpdate } from '../../src/fleet/types.ts';
import { FLEET_TEMPLATE, recordingKubectl } from '../helpers/fleet.ts';
import { startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

describe('fleet/TaskFleet (sandbox + real kubectl)', function () {
  this.timeout(120_000);
  let cluster: TaskCluster;

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'fleet', delayMs: 0 });
  });
  after(async () => {
    await cluster?.close();
  });

  it('launches a batch on one watch and three spawns, transitions it, and kills it with one terminal status each', async () => {
    const { kubectl, spawns, streams } = recordingKubectl(cluster);
    const fleet = new TaskFleet({ kubectl, namespace: 'fleet' });
    const updates: FleetStatusUpdate[] = [];
    fleet.onStatus((u) => updates.push(u));
    await fleet.start();
    const before = spawns.length;
    const ids = Array.from({ length: 20 }, (_, i) => `f${i}`);
    await Promise.all(ids.map((id) => fleet.launch({ taskId: id, template: { text: FLEET_TEMPLATE }, env: { TASK_NAME: id } })));
    const launchSpawns = spawns.slice(before).filter((argv) => !argv.includes('--raw'));
    expect(launchSpawns.length, launchSpawns.map((a) => a.join(' ')).join('\n')).to.be.at.most(3);
    expect(streams.length).to.equal(1);
    for (const event of ['CONFIGURE', 'START', 'STOP', 'RESET']) {
      await Promise.all(ids.map((id) => fleet.transition({ taskId: id, event, arguments: { run: '7' } })));
    }
    const task = await getObject(kubectl, { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 'f3', namespace: 'fleet' });
    expect(task?.metadata.labels?.['kubectl-task/task-id']).to.equal('f3');
    expect(task?.['spec']).to.deep.include({ state: 'standby', control: { mode: 'direct', port: 31000 } });
    expect(await Promise.all(ids.map((id) => fleet.kill(id)))).to.deep.equal(ids.map(() => 'TASK_KILLED'));
    for (const id of ids) {
      const mine = updates.filter((u) => u.taskId === id);
      expect(mine.map((u) => u.seq)).to.deep.equal(mine.map((_, i) => i + 1));
      expect(mine.filter((u) => ['TASK_KILLED', 'TASK_FAILED', 'TASK_LOST', 'TASK_FINISHED'].includes(u.state))).to.have.length(1);
      expect(mine.map((u) => u.taskState ?? u.state)).to.deep.equal(['TASK_STARTING', 'standby', 'configured', 'running', 'configured', 'standby', 'standby']);
    }
    expect(await getObject(kubectl, { apiVersion: 'v1', kind: 'ConfigMap', name: 'f3-config', namespace: 'fleet' })).to.equal(undefined);
    await fleet.close();
  });
});
