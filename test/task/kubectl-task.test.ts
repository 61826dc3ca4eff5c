import { expect } from 'chai';
import { KubectlTask, type StatusUpdate } from '../../src/task/kubectl-task.ts';
import { TaskError } from '../../src/task/errors.ts';
import { reasonOf } from '../../src/errors.ts';
import { getObject } from '../../src/kubectl/commands.ts';
import { KubectlError } from '../../src/kubectl/errors.ts';
import { startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const TASK_TEMPLATE = `# a Task and its own ConfigMap
apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
  annotations:
    kubectl-task.io/fake-error-on: "\${FAIL_ON:-never}"
    kubectl-task.io/fake-stuck: "\${STUCK:-false}"
    kubectl-task.io/fake-done-after-ms: "\${DONE_AFTER_MS:-never}"
spec:
  state: standby
  control:
    mode: direct
    port: \${PORT:-31000}
  properties:
    detector: \${DETECTOR}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: \${TASK_NAME}-config
data:
  detector: \${DETECTOR}
`;

describe('task/KubectlTask (sandbox + real kubectl)', function () {
  this.timeout(60_000);
  let cluster: TaskCluster;

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'kt' });
  });
  after(async () => {
    await cluster?.close();
  });

  function makeTask(name: string, env: Record<string, string> = {}, extra: { transitionTimeoutMs?: number; launchTimeoutMs?: number; template?: string } = {}) {
    const updates: StatusUpdate[] = [];
    const task = new KubectlTask({
      id: name,
      kubectl: cluster.kubectl,
      template: { text: extra.template ?? TASK_TEMPLATE, file: `${name}.yaml` },
      env: { TASK_NAME: name, DETECTOR: 'TPC', ...env },
      baseEnv: {},
      namespace: { explicit: cluster.namespace },
      transitionTimeoutMs: extra.transitionTimeoutMs ?? 20_000,
      ...(extra.launchTimeoutMs === undefined ? {} : { launchTimeoutMs: extra.launchTimeoutMs }),
      onStatus: (update) => updates.push(update),
    });
    return { task, updates };
  }

  function byId(id: string) {
    const updates: StatusUpdate[] = [];
    const task = KubectlTask.byId({ id, kubectl: cluster.kubectl, transitionTimeoutMs: 20_000, onStatus: (update) => updates.push(update) });
    return { task, updates };
  }

  /** Watches of one Task the sandbox has started streaming (it logs a watch when its stream starts). */
  const watchesOf = (name: string) =>
    cluster.sandbox.requestLog.entries.filter((e) => e.verb === 'watch' && e.query.includes(`metadata.name%3D${name}`)).length;

  const taskRef = (name: string) => ({ apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name, namespace: cluster.namespace });
  const configRef = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: cluster.namespace });

  it('runs launch → CONFIGURE → START → STOP → RESET → kill and reports each change', async () => {
    const { task, updates } = makeTask('life');
    expect(await task.launch()).to.equal('TASK_RUNNING');
    expect(task.stage.kind).to.equal('running');
    const configured = await task.transition('CONFIGURE', { environment_id: 'E1', 'chans.readout.0.address': 'ipc://@x' });
    expect(configured.state).to.equal('configured');
    const live = await getObject(cluster.kubectl, taskRef('life'));
    expect(live?.['spec']).to.deep.include({ state: 'configured', arguments: { environment_id: 'E1', 'chans.readout.0.address': 'ipc://@x' } });
    expect((await task.transition('START')).state).to.equal('running');
    expect((await task.transition('STOP')).state).to.equal('configured');
    expect((await task.transition('RESET')).state).to.equal('standby');
    expect(await task.kill()).to.equal('TASK_KILLED');
    expect(await getObject(cluster.kubectl, taskRef('life'))).to.equal(undefined);
    expect(await getObject(cluster.kubectl, configRef('life-config'))).to.equal(undefined);
    const taskStates = updates.filter((u) => u.taskState !== undefined).map((u) => u.taskState);
    expect(taskStates).to.deep.equal(['standby', 'configured', 'running', 'configured', 'standby']);
    expect(updates.map((u) => u.state)).to.include.members(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
    expect(updates.at(-1)).to.include({ state: 'TASK_KILLED', previous: 'TASK_RUNNING', reason: 'Killed' });
  });

  it('launch resolves at the first status.state; until: applied returns right after the apply', async () => {
    const { task, updates } = makeTask('first-status');
    expect(await task.launch()).to.equal('TASK_RUNNING');
    expect(task.observed?.state).to.equal('standby');
    expect(updates.map((u) => u.state)).to.deep.equal(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING']);
    expect(await task.kill()).to.equal('TASK_KILLED');

    const { task: early } = makeTask('applied-only');
    // The watch needs a kubectl of its own before any status can arrive: STARTING is certain here.
    expect(await early.launch({ until: 'applied' })).to.equal('TASK_STARTING');
    expect(await early.waitForStatus()).to.equal('TASK_RUNNING');
    expect(await early.kill()).to.equal('TASK_KILLED');
  });

  it('a launch without any status.state rejects with NoStatus and leaves the Task as it is', async () => {
    const { task, updates } = makeTask('no-status', { STUCK: 'true' }, { launchTimeoutMs: 800 });
    const error = await task.launch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TaskError);
    expect((error as TaskError).reason).to.equal('NoStatus');
    expect((error as TaskError).message).to.equal(
      'task no-status: task.v1alpha1.aliecs.alice.cern/no-status in namespace kt reported no status.state within 800 ms (is its task manager running?); the Task is left as it is',
    );
    expect(task.stage.kind).to.equal('launched');
    expect(updates.at(-1)?.state).to.equal('TASK_STARTING');
    expect(await getObject(cluster.kubectl, taskRef('no-status'))).to.not.equal(undefined);
    expect(await task.kill()).to.equal('TASK_KILLED');
    expect(await getObject(cluster.kubectl, configRef('no-status-config'))).to.equal(undefined);
  });

  it('never changes a launched Task: a second launch fails AlreadyLaunched and can attach instead', async () => {
    const { task } = makeTask('relaunch');
    await task.launch();
    await task.transition('CONFIGURE');
    await task.transition('START');
    const before = await getObject(cluster.kubectl, taskRef('relaunch'));
    const writes = () => cluster.sandbox.requestLog.entries.filter((e) => /\/tasks\/relaunch(\/status)?$/.test(e.path) && e.method !== 'GET').length;
    const writesBefore = writes();

    const { task: again, updates } = makeTask('relaunch');
    const error = await again.launch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TaskError);
    expect((error as TaskError).reason).to.equal('AlreadyLaunched');
    expect((error as TaskError).message).to.equal(
      'task relaunch: task.v1alpha1.aliecs.alice.cern/relaunch in namespace kt is already launched (status.state running) and a launch never changes it; follow it with kubectl-task watch --task-id relaunch -n kt (or status), or attach() in the library',
    );
    const after = await getObject(cluster.kubectl, taskRef('relaunch'));
    expect(after?.metadata['generation']).to.equal(before?.metadata['generation']);
    expect(after?.['spec']).to.deep.include({ state: 'running' });
    expect(writes()).to.equal(writesBefore); // not even a dry run
    // The running task is not failed: nothing terminal is reported, and the same object attaches.
    expect(updates.map((u) => u.state)).to.deep.equal(['TASK_STAGING']);
    expect(again.stage.kind).to.equal('pending');
    expect((await again.attach()).state).to.equal('running');
    expect(again.status).to.equal('TASK_RUNNING');
    await again.detach();
    expect(await task.kill()).to.equal('TASK_KILLED');
  });

  it('byId: attaches, moves and kills a task by its id alone, companions the template never listed included', async () => {
    const { task: launched } = makeTask('by-id');
    await launched.launch();
    await launched.detach();
    // A Secret carrying the task's label that no template of it lists.
    await cluster.kubectl.run(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'by-id-extra', labels: { 'kubectl-task/task-id': 'by-id' } },
        stringData: { a: 'b' },
      }),
    });
    const { task, updates } = byId('by-id');
    const launch = await task.launch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((launch as TaskError).reason).to.equal('NoTemplate');
    expect((await task.attach()).state).to.equal('standby');
    expect(task.taskRef).to.deep.equal(taskRef('by-id'));
    expect((await task.transition('CONFIGURE')).state).to.equal('configured');
    expect(await task.kill()).to.equal('TASK_KILLED');
    expect(updates.at(-1)?.message).to.equal('deleted task.v1alpha1.aliecs.alice.cern/by-id, configmap/by-id-config, secret/by-id-extra');
    expect(await getObject(cluster.kubectl, taskRef('by-id'))).to.equal(undefined);
    expect(await getObject(cluster.kubectl, configRef('by-id-config'))).to.equal(undefined);
    expect(await getObject(cluster.kubectl, { apiVersion: 'v1', kind: 'Secret', name: 'by-id-extra', namespace: 'kt' })).to.equal(undefined);

    const { task: missing } = byId('never-was');
    const attach = await missing.attach().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((attach as TaskError).message).to.equal('task never-was: no Task with task-id never-was (label kubectl-task/task-id=never-was) in namespace kt');
    expect(await byId('never-was').task.kill()).to.equal('TASK_KILLED'); // idempotent
  });

  it('byId finds a task whose id had to be hashed into its label', async () => {
    const id = `scheduler/${'x'.repeat(70)}#1`;
    const task = new KubectlTask({
      id,
      kubectl: cluster.kubectl,
      template: { text: TASK_TEMPLATE, file: 'hashed.yaml' },
      env: { TASK_NAME: 'hashed', DETECTOR: 'TPC' },
      baseEnv: {},
    });
    await task.launch();
    await task.detach();
    const { task: found } = byId(id);
    expect((await found.attach()).state).to.equal('standby');
    expect(await found.kill()).to.equal('TASK_KILLED');
    expect(await getObject(cluster.kubectl, configRef('hashed-config'))).to.equal(undefined);
  });

  it('a task killed elsewhere ends TASK_KILLED (Killed), not TASK_LOST, for whoever watches it', async () => {
    const { task: launched } = makeTask('remote-kill');
    await launched.launch();
    await launched.detach();
    const { task: watcher, updates } = byId('remote-kill');
    const watchesBefore = watchesOf('remote-kill');
    await watcher.attach();
    await waitUntil(() => watchesOf('remote-kill') > watchesBefore); // the watch streams: it will see the mark
    expect(await byId('remote-kill').task.kill()).to.equal('TASK_KILLED');
    await waitUntil(() => watcher.status === 'TASK_KILLED');
    expect(updates.at(-1)).to.include({ state: 'TASK_KILLED', reason: 'Killed' });
    expect(updates.at(-1)?.message).to.match(/^task\.v1alpha1\.aliecs\.alice\.cern\/remote-kill in namespace kt was killed by kubectl-task pid \d+ on /);
    expect(watcher.stage.kind).to.equal('killed');
  });

  it('labels every object and kill leaves foreign objects untouched', async () => {
    for (const name of ['foreign', 'multi-config-other']) {
      await cluster.kubectl.run(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } }) });
    }
    const { task } = makeTask('multi');
    await task.launch();
    const config = await getObject(cluster.kubectl, configRef('multi-config'));
    expect(config?.metadata.labels).to.include({ 'app.kubernetes.io/managed-by': 'kubectl-task', 'kubectl-task/task-id': 'multi' });
    expect(await task.kill()).to.equal('TASK_KILLED');
    expect(await getObject(cluster.kubectl, configRef('multi-config'))).to.equal(undefined);
    expect(await getObject(cluster.kubectl, configRef('foreign'))).to.not.equal(undefined);
    expect(await getObject(cluster.kubectl, configRef('multi-config-other'))).to.not.equal(undefined);
  });

  it('fails a transition fast with status.error when the task manager reports error', async () => {
    const { task, updates } = makeTask('fails', { FAIL_ON: 'configured' }, { transitionTimeoutMs: 30_000 });
    await task.launch();
    const started = Date.now();
    const error = await task.transition('CONFIGURE').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TaskError);
    expect((error as TaskError).reason).to.equal('TransitionFailed');
    expect((error as TaskError).message).to.match(/CONFIGURE failed: .*standby -> configured/);
    expect(Date.now() - started).to.be.below(30_000); // not the timeout: the error decided it
    expect(task.status).to.equal('TASK_FAILED');
    expect(updates.at(-1)).to.include({ state: 'TASK_FAILED', taskState: 'error' });
    // Terminal already: kill reports nothing new, but still removes the task's objects.
    expect(await task.kill()).to.equal('TASK_FAILED');
    expect(updates.at(-1)?.state).to.equal('TASK_FAILED');
    expect(task.stage.kind).to.equal('killed');
    expect(await getObject(cluster.kubectl, taskRef('fails'))).to.equal(undefined);
    expect(await getObject(cluster.kubectl, configRef('fails-config'))).to.equal(undefined);
  });

  it('times out a transition and names the last observed state', async () => {
    const { task } = makeTask('stuck', {}, { transitionTimeoutMs: 1500 });
    await task.launch();
    await task.transition('CONFIGURE');
    await cluster.kubectl.run(['annotate', 'task.v1alpha1.aliecs.alice.cern/stuck', 'kubectl-task.io/fake-stuck=true', '--overwrite']);
    const error = await task.transition('START').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as TaskError).reason).to.equal('TransitionTimeout');
    expect((error as TaskError).message).to.match(/START timed out after 1500 ms waiting for "running"; last observed status.state: configured/);
    expect(await task.kill()).to.equal('TASK_KILLED');
  });

  it('rejects a transition from the wrong state before patching', async () => {
    const { task } = makeTask('wrong');
    await task.launch();
    await task.transition('CONFIGURE');
    const patchesBefore = cluster.sandbox.requestLog.count({ method: 'PATCH', path: /\/tasks\/wrong$/ });
    const error = await task.transition('CONFIGURE').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as TaskError).reason).to.equal('WrongState');
    expect((error as TaskError).message).to.contain('cannot CONFIGURE from "configured"; CONFIGURE needs "standby"');
    const unsupported = await task.transition('GO_ERROR').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((unsupported as TaskError).reason).to.equal('UnsupportedTransition');
    expect(cluster.sandbox.requestLog.count({ method: 'PATCH', path: /\/tasks\/wrong$/ })).to.equal(patchesBefore);
    await task.kill();
  });

  it('runs one transition at a time', async () => {
    const { task } = makeTask('serial');
    await task.launch();
    const first = task.transition('CONFIGURE');
    const second = await task.transition('CONFIGURE').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((second as TaskError).reason).to.equal('WrongState');
    expect((second as TaskError).message).to.contain('cannot CONFIGURE while CONFIGURE is in progress');
    expect((await first).state).to.equal('configured');
    expect((await task.transition('START')).state).to.equal('running');
    await task.kill();
  });

  it('kill is idempotent: twice, before launch, and after the objects are gone', async () => {
    const { task, updates } = makeTask('idem');
    await task.launch();
    const [a, b] = await Promise.all([task.kill(), task.kill()]);
    expect([a, b]).to.deep.equal(['TASK_KILLED', 'TASK_KILLED']);
    expect(await task.kill()).to.equal('TASK_KILLED');
    expect(updates.filter((u) => u.state === 'TASK_KILLED')).to.have.length(1);
    const { task: never } = makeTask('never-launched');
    expect(await never.kill()).to.equal('TASK_KILLED');
  });

  it('reports done as TASK_FINISHED and an outside delete as TASK_LOST', async () => {
    const { task: finishing, updates } = makeTask('finishing', { DONE_AFTER_MS: '100' });
    await finishing.launch();
    await finishing.transition('CONFIGURE');
    await finishing.transition('START');
    await waitUntil(() => finishing.status === 'TASK_FINISHED');
    expect(updates.at(-1)).to.include({ state: 'TASK_FINISHED', taskState: 'done' });
    expect(await finishing.kill()).to.equal('TASK_FINISHED');
    expect(await getObject(cluster.kubectl, taskRef('finishing'))).to.equal(undefined);
    expect(await getObject(cluster.kubectl, configRef('finishing-config'))).to.equal(undefined);

    const { task: lost } = makeTask('lost');
    await lost.launch();
    await lost.transition('CONFIGURE');
    await cluster.kubectl.run(['delete', 'task.v1alpha1.aliecs.alice.cern/lost']);
    await waitUntil(() => lost.status === 'TASK_LOST');
    expect(lost.stage.kind).to.equal('failed');
    expect(await lost.kill()).to.equal('TASK_LOST');
    expect(await getObject(cluster.kubectl, configRef('lost-config'))).to.equal(undefined); // the companion is cleaned up
  });

  it('a kill during launch waits for the apply and then removes everything', async () => {
    const { task, updates } = makeTask('racing');
    const launching = task.launch();
    const killed = task.kill();
    await launching;
    expect(await killed).to.equal('TASK_KILLED');
    expect(updates.at(-1)?.state).to.equal('TASK_KILLED');
    expect(await getObject(cluster.kubectl, taskRef('racing'))).to.equal(undefined);
    expect(await getObject(cluster.kubectl, configRef('racing-config'))).to.equal(undefined);
  });

  it('a kill before launch wins, also when requested from the first status update', async () => {
    const { task } = makeTask('early');
    const killed = task.kill();
    const launch = await task.launch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((launch as TaskError).reason).to.equal('Terminated');
    expect(await killed).to.equal('TASK_KILLED');
    expect(await getObject(cluster.kubectl, taskRef('early'))).to.equal(undefined);

    let killFromListener: Promise<unknown> | undefined;
    const listening = new KubectlTask({
      id: 'early2',
      kubectl: cluster.kubectl,
      template: { text: TASK_TEMPLATE, file: 'early2.yaml' },
      env: { TASK_NAME: 'early2', DETECTOR: 'TPC' },
      baseEnv: {},
      onStatus: (update) => {
        if (update.state === 'TASK_STAGING') killFromListener = listening.kill();
      },
    });
    await listening.launch();
    expect(await killFromListener).to.equal('TASK_KILLED');
    expect(listening.stage.kind).to.equal('killed');
    expect(await getObject(cluster.kubectl, taskRef('early2'))).to.equal(undefined);
    expect(await getObject(cluster.kubectl, configRef('early2-config'))).to.equal(undefined);
  });

  it('refuses to kill a Task launched under another task id, and says which', async () => {
    const { task: launched } = makeTask('sched-42', {}, { template: TASK_TEMPLATE.replace('name: ${TASK_NAME}\n', 'name: owned\n') });
    await launched.launch();
    const { task: wrongId, updates } = makeTask('owned', { TASK_NAME: 'owned' });
    expect(await wrongId.kill()).to.equal('TASK_FAILED');
    expect(updates.at(-1)).to.include({ state: 'TASK_FAILED', reason: 'OwnedElsewhere' });
    expect(updates.at(-1)?.message).to.contain('it was launched as task sched-42 (pass --task-id sched-42)');
    expect(await getObject(cluster.kubectl, taskRef('owned'))).to.not.equal(undefined);
    expect(await launched.kill()).to.equal('TASK_KILLED');
  });

  it('never takes over or deletes an object another task owns', async () => {
    const shared = (name: string) => `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: ${name}
spec:
  state: standby
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shared-config
data:
  owner: ${name}
`;
    const { task: first } = makeTask('owner-a', {}, { template: shared('owner-a') });
    const { task: second, updates } = makeTask('owner-b', {}, { template: shared('owner-b') });
    await first.launch();
    const error = await second.launch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as TaskError).reason).to.equal('OwnedElsewhere');
    expect((error as TaskError).message).to.contain('configmap/shared-config in namespace kt already exists and belongs to task owner-a');
    expect(updates.at(-1)).to.include({ state: 'TASK_FAILED', reason: 'OwnedElsewhere' });
    expect(await getObject(cluster.kubectl, taskRef('owner-b'))).to.equal(undefined); // nothing applied
    expect(await second.kill()).to.equal('TASK_FAILED');
    const config = await getObject(cluster.kubectl, configRef('shared-config'));
    expect(config?.['data']).to.deep.equal({ owner: 'owner-a' });
    expect(await first.kill()).to.equal('TASK_KILLED');
    expect(await getObject(cluster.kubectl, configRef('shared-config'))).to.equal(undefined);
  });

  it("takes the namespace from the runner's -n when the options give none", async () => {
    await cluster.kubectl.run(['create', 'namespace', 'elsewhere'], { namespace: null });
    const task = new KubectlTask({
      id: 'ns-from-runner',
      kubectl: cluster.kubectl.with({ namespace: 'elsewhere' }), // the kubeconfig context says "kt"
      template: { text: TASK_TEMPLATE, file: 'ns.yaml' },
      env: { TASK_NAME: 'ns-from-runner', DETECTOR: 'TPC' },
      baseEnv: {},
    });
    await task.launch();
    expect(task.taskRef?.namespace).to.equal('elsewhere');
    expect(await getObject(cluster.kubectl, { ...taskRef('ns-from-runner'), namespace: 'elsewhere' })).to.not.equal(undefined);
    expect(await task.kill()).to.equal('TASK_KILLED');
  });

  it('keeps two tasks in one process apart: no environment leaks', async () => {
    const before = { ...process.env };
    const { task: a } = makeTask('env-a', { DETECTOR: 'ITS' });
    const { task: b } = makeTask('env-b', { DETECTOR: 'MFT' });
    await Promise.all([a.launch(), b.launch()]);
    const ca = await getObject(cluster.kubectl, configRef('env-a-config'));
    const cb = await getObject(cluster.kubectl, configRef('env-b-config'));
    expect(ca?.['data']).to.deep.equal({ detector: 'ITS' });
    expect(cb?.['data']).to.deep.equal({ detector: 'MFT' });
    expect(process.env).to.deep.equal(before);
    await Promise.all([a.kill(), b.kill()]);
  });

  it('hands kubectl strings that YAML 1.1 would read as booleans or numbers as strings', async () => {
    const template = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
spec:
  state: standby
  properties:
    answer: "\${ANSWER}"
    mode: "\${MODE}"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: \${TASK_NAME}-config
data:
  answer: "\${ANSWER}"
  mode: "\${MODE}"
  clock: "\${CLOCK}"
`;
    const { task } = makeTask('yaml11', { ANSWER: 'yes', MODE: '0644', CLOCK: '12:30' }, { template });
    await task.launch();
    const config = await getObject(cluster.kubectl, configRef('yaml11-config'));
    expect(config?.['data']).to.deep.equal({ answer: 'yes', mode: '0644', clock: '12:30' });
    const live = await getObject(cluster.kubectl, taskRef('yaml11'));
    expect((live?.['spec'] as { properties: unknown } | undefined)?.properties).to.deep.equal({ answer: 'yes', mode: '0644' });
    await task.kill();
  });

  it('applies nothing when one document is invalid', async () => {
    const { task, updates } = makeTask('halfway', { PORT: '"not-a-port"' });
    const error = await task.launch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(KubectlError);
    expect((error as KubectlError).reason).to.equal('Invalid');
    expect(await getObject(cluster.kubectl, configRef('halfway-config'))).to.equal(undefined);
    expect(task.status).to.equal('TASK_FAILED');
    expect(updates.at(-1)).to.include({ state: 'TASK_FAILED', reason: 'Invalid' });
  });

  it('rejects missing variables before touching the cluster', async () => {
    const task = new KubectlTask({
      id: 'missing',
      kubectl: cluster.kubectl,
      template: { text: TASK_TEMPLATE, file: 'missing.yaml' },
      env: { TASK_NAME: 'missing' },
      baseEnv: {},
      namespace: { explicit: cluster.namespace },
    });
    const error = await task.launch().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(reasonOf(error)).to.equal('RenderError');
    expect((error as Error).message).to.match(/missing\.yaml: missing variables: DETECTOR \(lines \d+, \d+\)/);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
