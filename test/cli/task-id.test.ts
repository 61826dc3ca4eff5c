import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { main } from '../../src/cli/main.ts';
import { getObject } from '../../src/kubectl/commands.ts';
import { captureOut } from '../helpers/capture.ts';
import { repoRoot, startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const EXAMPLE = path.join(repoRoot, 'templates', 'example.yaml');
const TASK_ONLY = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
spec:
  state: standby
`;

async function run(...argv: string[]) {
  const out = captureOut();
  const code = await main(argv, { out, signal: new AbortController().signal });
  return { code, stdout: out.stdoutText(), stderr: out.stderrText() };
}

describe('cli: status, watch and kill by --task-id or task/NAME, no template needed (sandbox + real kubectl)', function () {
  this.timeout(60_000);
  let cluster: TaskCluster;
  let dir: string;
  let taskOnly: string;
  const ns = 'byid';
  // The least-privilege executor user (TLS: the sandbox checks its token): finding a task by its
  // label lists only kinds manifests/executor-rbac.yaml grants.
  const conn = () => ['--kubeconfig', cluster.kubeconfig, '--context', 'executor', '-n', ns];
  const taskRef = (name: string) => ({ apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name, namespace: ns });
  const configRef = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: ns });
  const launch = async (name: string, ...extra: string[]) => {
    const r = await run('launch', '-f', EXAMPLE, '--env', `TASK_NAME=${name}`, ...extra, ...conn());
    expect(r.code, r.stderr).to.equal(0);
  };

  before(async () => {
    cluster = await startTaskCluster({ namespace: ns, tls: true });
    dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-task-byid-'));
    taskOnly = path.join(dir, 'task-only.yaml');
    await writeFile(taskOnly, TASK_ONLY);
  });
  after(async () => {
    await cluster?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('kill with a Task-only template also deletes the labelled companion it does not list (k1-config)', async () => {
    await launch('k1');
    expect(await getObject(cluster.kubectl, configRef('k1-config'))).to.not.equal(undefined);
    const killed = await run('kill', '-f', taskOnly, '--env', 'TASK_NAME=k1', ...conn());
    expect(killed.code, killed.stderr).to.equal(0);
    expect(killed.stdout).to.match(/k1\s+TASK_KILLED\s+\[Killed\]\s+\(deleted task\.v1alpha1\.aliecs\.alice\.cern\/k1, configmap\/k1-config\)/);
    expect(await getObject(cluster.kubectl, taskRef('k1'))).to.equal(undefined);
    expect(await getObject(cluster.kubectl, configRef('k1-config'))).to.equal(undefined);
  });

  it('kill --task-id deletes exactly what carries the label, a hand-labelled companion included', async () => {
    await launch('k2');
    await cluster.kubectl.run(['create', 'configmap', 'k2-extra', '--from-literal=a=b']);
    await cluster.kubectl.run(['label', 'configmap/k2-extra', 'kubectl-task/task-id=k2']);
    await cluster.kubectl.run(['create', 'configmap', 'k2-unlabelled', '--from-literal=a=b']);
    const killed = await run('kill', '--task-id', 'k2', ...conn(), '-o', 'json');
    expect(killed.code, killed.stderr).to.equal(0);
    const last = JSON.parse(killed.stdout.trim().split('\n').at(-1) ?? '{}') as { state: string; message: string };
    expect(last).to.deep.include({ state: 'TASK_KILLED', message: 'deleted task.v1alpha1.aliecs.alice.cern/k2, configmap/k2-config, configmap/k2-extra' });
    expect(await getObject(cluster.kubectl, configRef('k2-extra'))).to.equal(undefined);
    expect(await getObject(cluster.kubectl, configRef('k2-unlabelled'))).to.not.equal(undefined);
    const again = await run('kill', '--task-id', 'k2', ...conn());
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain('nothing left to delete');
    const lists = cluster.sandbox.requestLog.entries.filter((e) => e.verb === 'list' && e.query.includes('labelSelector=kubectl-task'));
    expect(lists.length).to.be.greaterThan(0);
    expect(lists.every((e) => e.user === 'task-executor' && e.status === 200)).to.equal(true);
  });

  it('status by --task-id and by task/NAME; not found is TASK_LOST, exit 1', async () => {
    await launch('s1');
    for (const how of [['--task-id', 's1'], ['task/s1'], ['tasks/s1'], ['task.aliecs.alice.cern/s1']]) {
      const r = await run('status', ...how, ...conn(), '-o', 'json');
      expect(r.code, `${how.join(' ')}: ${r.stderr}`).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.equal({
        taskId: 's1',
        name: 's1',
        namespace: ns,
        desired: 'standby',
        actual: 'standby',
        executorState: 'TASK_RUNNING',
      });
    }
    const text = await run('status', 'task/s1', ...conn());
    expect(text.stdout.split('\n')[1]).to.match(/^s1\s+byid\s+standby\s+standby\s+TASK_RUNNING$/);
    const gone = await run('status', '--task-id', 'nope', ...conn(), '-o', 'json');
    expect(gone.code).to.equal(1);
    expect(JSON.parse(gone.stdout)).to.deep.equal({ taskId: 'nope', namespace: ns, executorState: 'TASK_LOST', error: 'not found' });
    expect((await run('kill', 'task/s1', ...conn())).code).to.equal(0);
    const twice = await run('kill', 'task/s1', ...conn());
    expect(twice.code).to.equal(0);
    expect(twice.stderr).to.equal('warning: task/s1 not found in namespace byid: nothing to delete (companions left behind are found with --task-id)\n');
  });

  /** Starts `watch` and resolves once the sandbox streams its watch (it logs one when the stream starts). */
  async function startWatch(name: string, ...argv: string[]): Promise<{ done: ReturnType<typeof run> }> {
    const watchesOf = () => cluster.sandbox.requestLog.entries.filter((e) => e.verb === 'watch' && e.query.includes(`metadata.name%3D${name}`)).length;
    const before = watchesOf();
    const watching = run('watch', ...argv, ...conn());
    let ended = false;
    void watching.finally(() => (ended = true)); // a watch that fails at once must not be waited for
    while (watchesOf() === before && !ended) await new Promise((resolve) => setTimeout(resolve, 25));
    return { done: watching }; // wrapped: an async function would wait for the watch itself
  }

  it('watch by --task-id ends TASK_KILLED when another process kills the task', async () => {
    await launch('w2');
    // The watch must be streaming to see the kill's mark before the delete.
    const watching = await startWatch('w2', '--task-id', 'w2', '-o', 'json');
    const killer = await execa('node', [path.join(repoRoot, 'bin', 'kubectl-task.js'), 'kill', '--task-id', 'w2', ...conn()], { reject: false });
    expect(killer.exitCode, killer.stderr).to.equal(0);
    const watched = await watching.done;
    expect(watched.code, watched.stderr).to.equal(0);
    const updates = watched.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { state: string; reason: string; message?: string });
    expect(updates.map((u) => u.state)).to.deep.equal(['TASK_RUNNING', 'TASK_KILLED']);
    expect(updates.at(-1)).to.include({ reason: 'Killed' });
    expect(updates.at(-1)?.message).to.match(/^task\.v1alpha1\.aliecs\.alice\.cern\/w2 in namespace byid was killed by kubectl-task pid \d+ on /);
  });

  it('watch by task/NAME follows the task until it ends', async () => {
    await launch('w3');
    const watching = await startWatch('w3', 'task/w3');
    expect((await run('transition', 'CONFIGURE', '-f', EXAMPLE, '--env', 'TASK_NAME=w3', ...conn())).code).to.equal(0);
    expect((await run('kill', '--task-id', 'w3', ...conn())).code).to.equal(0);
    const watched = await watching.done;
    expect(watched.code, watched.stderr).to.equal(0);
    expect(watched.stdout).to.match(/w3\s+TASK_RUNNING\s+\(none\) → standby/);
    expect(watched.stdout).to.match(/w3\s+TASK_KILLED\s+\[Killed\]/);
  });

  it('one --task-id on two Tasks: status is Ambiguous, kill removes both', async () => {
    await launch('d1', '--task-id', 'dup');
    await launch('d2', '--task-id', 'dup');
    const status = await run('status', '--task-id', 'dup', ...conn());
    expect(status.code).to.equal(2);
    expect(status.stderr.trim()).to.equal(
      'error: task dup: task-id dup (label kubectl-task/task-id=dup) labels 2 Tasks (task/d1, task/d2); name the one meant [Ambiguous]',
    );
    expect((await run('status', 'task/d2', ...conn())).code).to.equal(0);
    expect((await run('kill', '--task-id', 'dup', ...conn())).code).to.equal(0);
    for (const name of ['d1', 'd2']) expect(await getObject(cluster.kubectl, taskRef(name))).to.equal(undefined);
  });

  it('refuses a Task kubectl-task did not launch, and ways of naming a task that do not fit', async () => {
    await cluster.kubectl.run(['apply', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { name: 'by-hand' }, spec: { state: 'standby' } }),
    });
    const foreign = await run('kill', 'task/by-hand', ...conn());
    expect(foreign.code).to.equal(3);
    expect(foreign.stderr.trim()).to.equal(
      'error: task/by-hand in namespace byid has no kubectl-task/task-id label: kubectl-task did not launch it [OwnedElsewhere]',
    );
    expect(await getObject(cluster.kubectl, taskRef('by-hand'))).to.not.equal(undefined);

    const usage = async (argv: string[], message: string) => {
      const r = await run(...argv, ...conn());
      expect(r.code, argv.join(' ')).to.equal(2);
      expect(r.stderr.trim()).to.equal(`error: ${message}`);
    };
    await usage(['status'], 'status: name the task: -f TEMPLATE [--env K=V]..., --task-id ID or task/NAME');
    await usage(['kill', '--task-id', 'x', '--env', 'A=b'], 'kill: --env: only with -f TEMPLATE (a task named by --task-id or task/NAME has no template)');
    await usage(['watch', '--task-id', 'x', 'task/y'], 'watch: give either --task-id x or task/y, not both');
    await usage(['status', 'pod/x'], 'status: "pod/x" is not a Task (expected task/NAME)');
    await usage(['kill', '-f', EXAMPLE, 'task/x'], 'kill: give either -f TEMPLATE or task/x, not both');
    await usage(['launch', 'task/x'], 'launch: unexpected task/x: only launch --attach follows a launched task; launch needs -f TEMPLATE');
  });
});
