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

  it('shares one kill between two kill requests for the same task: both resolve TASK_KILLED, one delete, one terminal status', async () => {
    const { kubectl, spawns } = recordingKubectl(cluster);
    const fleet = new TaskFleet({ kubectl, namespace: 'fleet' });
    const updates: FleetStatusUpdate[] = [];
    fleet.onStatus((u) => updates.push(u));
    await fleet.start();
    await fleet.launch({ taskId: 'twice', template: { text: FLEET_TEMPLATE }, env: { TASK_NAME: 'twice' } });
    const before = spawns.length;
    expect(await Promise.all([fleet.kill('twice'), fleet.kill('twice')])).to.deep.equal(['TASK_KILLED', 'TASK_KILLED']);
    expect(spawns.slice(before).filter((argv) => argv.includes('delete'))).to.have.length(1);
    expect(updates.filter((u) => u.taskId === 'twice').map((u) => u.state)).to.deep.equal(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
    await fleet.close();
  });
});

describe('fleet/TaskFleet: a launch whose real apply fails after its dry run passed (sandbox + real kubectl)', function () {
  this.timeout(120_000);
  let cluster: TaskCluster;

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'halfway', delayMs: 0 });
  });
  after(async () => {
    await cluster?.close();
  });

  it('fails the launch with TASK_FAILED, keeps the task known, and a kill removes what the apply left', async () => {
    const fleet = new TaskFleet({ kubectl: cluster.kubectl, namespace: 'halfway' });
    const updates: FleetStatusUpdate[] = [];
    fleet.onStatus((u) => updates.push(u));
    await fleet.start();
    // The ConfigMap's dry-run create passes; its real create is refused (the Task's goes through).
    cluster.sandbox.faults.failNext({ count: 1, skip: 1, status: 403, method: 'POST', path: /\/namespaces\/halfway\/configmaps$/ });
    const launching = fleet.launch({ taskId: 'half', template: { text: FLEET_TEMPLATE }, env: { TASK_NAME: 'half' } });
    const error = await launching.then(
      () => undefined,
      (e: unknown) => e as Error & { reason?: string },
    );
    expect(error?.reason, error?.message).to.equal('Forbidden');
    expect(error?.message).to.match(/^kubectl apply: Forbidden: /);
    const task = { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 'half', namespace: 'halfway' };
    expect(await getObject(cluster.kubectl, task), 'the Task the apply created').to.not.equal(undefined);
    expect(fleet.status('half')[0]).to.include({ taskId: 'half', state: 'TASK_FAILED' });
    expect(await fleet.kill('half')).to.equal('TASK_FAILED');
    expect(await getObject(cluster.kubectl, task)).to.equal(undefined);
    expect(updates.filter((u) => u.taskId === 'half').map((u) => u.state)).to.deep.equal(['TASK_FAILED']);
    await fleet.close();
  });
});

describe('fleet/TaskFleet: secrets in messages (sandbox + real kubectl)', function () {
  this.timeout(120_000);
  let cluster: TaskCluster;

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'fleet-secret', delayMs: 0 });
  });
  after(async () => {
    await cluster?.close();
  });

  it('scrubs a secret value the API server quotes back from the rejection and the TASK_FAILED update', async () => {
    const { kubectl } = recordingKubectl(cluster);
    const fleet = new TaskFleet({ kubectl, namespace: 'fleet-secret' });
    const updates: FleetStatusUpdate[] = [];
    fleet.onStatus((u) => updates.push(u));
    await fleet.start();
    const token = `tok-${Math.random().toString(36).slice(2)}-secret`;
    const template = FLEET_TEMPLATE.replace('mode: direct', 'mode: "${API_TOKEN}"');
    const error = (await fleet
      .launch({ taskId: 'leaky', template: { text: template }, env: { TASK_NAME: 'leaky', API_TOKEN: token } })
      .catch((e: unknown) => e)) as Error;
    expect(error.message).to.contain('Unsupported value').and.contain('<redacted>').and.not.contain(token);
    const failed = updates.find((u) => u.taskId === 'leaky' && u.state === 'TASK_FAILED');
    expect(failed?.message).to.contain('<redacted>').and.not.contain(token);
    await fleet.close();
  });
});

describe('fleet/TaskFleet with -A (sandbox + real kubectl)', function () {
  this.timeout(120_000);
  let cluster: TaskCluster;

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'ns-a', delayMs: 0 });
    await cluster.kubectl.run(['create', 'namespace', 'ns-b']);
  });
  after(async () => {
    await cluster?.close();
  });

  it('follows Tasks of several namespaces on one all-namespaces watch; each manifest says where', async () => {
    const { kubectl, streams } = recordingKubectl(cluster);
    const fleet = new TaskFleet({ kubectl, allNamespaces: true });
    const updates: FleetStatusUpdate[] = [];
    fleet.onStatus((u) => updates.push(u));
    await fleet.start();
    const inNamespace = (ns: string): string =>
      FLEET_TEMPLATE.replace('  name: ${TASK_NAME}\n', `  name: \${TASK_NAME}\n  namespace: ${ns}\n`).replace(
        '  name: ${TASK_NAME}-config\n',
        `  name: \${TASK_NAME}-config\n  namespace: ${ns}\n`,
      );
    await Promise.all([
      fleet.launch({ taskId: 'a1', template: { text: inNamespace('ns-a') }, env: { TASK_NAME: 'a1' } }),
      fleet.launch({ taskId: 'b1', template: { text: inNamespace('ns-b') }, env: { TASK_NAME: 'b1' } }),
    ]);
    expect(streams).to.have.length(1);
    expect(streams[0]).to.include('--all-namespaces');
    expect(
      fleet
        .status()
        .map((s) => `${s.namespace}/${s.name}`)
        .sort(),
    ).to.deep.equal(['ns-a/a1', 'ns-b/b1']);
    await Promise.all(['a1', 'b1'].map((taskId) => fleet.transition({ taskId, event: 'CONFIGURE' })));
    expect(await Promise.all(['a1', 'b1'].map((id) => fleet.kill(id)))).to.deep.equal(['TASK_KILLED', 'TASK_KILLED']);
    expect(cluster.sandbox.store.get('tasks', 'ns-b', 'b1')).to.equal(undefined);
    await fleet.close();
  });
});
