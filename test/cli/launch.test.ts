import { expect } from 'chai';
import path from 'node:path';
import { main } from '../../src/cli/main.ts';
import { getObject } from '../../src/kubectl/commands.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { captureOut } from '../helpers/capture.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { repoRoot, startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const EXAMPLE = path.join(repoRoot, 'templates', 'example.yaml');
const taskRef = (name: string, namespace: string) => ({ apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name, namespace });
const configRef = (name: string, namespace: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace });

async function run(...argv: string[]) {
  const out = captureOut();
  const code = await main(argv, { out, signal: new AbortController().signal });
  return { code, stdout: out.stdoutText(), stderr: out.stderrText() };
}

describe('cli launch: re-launch, --attach, the end of a launch (sandbox + real kubectl)', function () {
  this.timeout(60_000);
  let cluster: TaskCluster;
  const conn = () => ['--kubeconfig', cluster.kubeconfig, '--context', 'admin', '-n', cluster.namespace];

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'launch' });
  });
  after(async () => {
    await cluster?.close();
  });

  it('launch ends at the first status.state the task manager reports', async () => {
    const r = await run('launch', '-f', EXAMPLE, '--env', 'TASK_NAME=first', ...conn(), '-o', 'json');
    expect(r.code, r.stderr).to.equal(0);
    const updates = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { state: string; taskState?: string });
    expect(updates.map((u) => u.state)).to.deep.equal(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING']);
    expect(updates.at(-1)?.taskState).to.equal('standby');
    expect((await run('kill', '--task-id', 'first', ...conn())).code).to.equal(0);
  });

  it('a second launch of a started task fails AlreadyLaunched and leaves the Task unchanged', async () => {
    const env = ['--env', 'TASK_NAME=f1'];
    expect((await run('launch', '-f', EXAMPLE, ...env, ...conn())).code).to.equal(0);
    expect((await run('transition', 'CONFIGURE', '-f', EXAMPLE, ...env, ...conn())).code).to.equal(0);
    expect((await run('transition', 'START', '-f', EXAMPLE, ...env, ...conn())).code).to.equal(0);
    const before = await getObject(cluster.kubectl, taskRef('f1', 'launch'));
    expect(before?.['spec']).to.deep.include({ state: 'running' });

    const again = await run('launch', '-f', EXAMPLE, ...env, ...conn());
    expect(again.code).to.equal(1);
    expect(again.stderr.trim().split('\n')).to.deep.equal([
      'error: task f1: task.v1alpha1.aliecs.alice.cern/f1 in namespace launch is already launched (status.state running) and a launch never changes it; follow it with kubectl-task watch --task-id f1 -n launch (or status), or attach() in the library [AlreadyLaunched]',
    ]);
    const after = await getObject(cluster.kubectl, taskRef('f1', 'launch'));
    expect(after?.metadata['generation']).to.equal(before?.metadata['generation']);
    expect(after?.metadata['resourceVersion']).to.equal(before?.metadata['resourceVersion']);
    expect(after?.['spec']).to.deep.include({ state: 'running' });

    // What the message suggests works: status by id says it is still running.
    const status = await run('status', '--task-id', 'f1', ...conn(), '-o', 'json');
    expect(status.code, status.stderr).to.equal(0);
    expect(JSON.parse(status.stdout)).to.deep.include({ taskId: 'f1', name: 'f1', desired: 'running', actual: 'running', executorState: 'TASK_RUNNING' });
    expect((await run('kill', '--task-id', 'f1', ...conn())).code).to.equal(0);
  });

  it('launch --attach follows a launched task without applying anything, by template, --task-id or task/NAME', async () => {
    expect((await run('launch', '-f', EXAMPLE, '--env', 'TASK_NAME=a1', ...conn())).code).to.equal(0);
    const writes = () =>
      cluster.sandbox.requestLog.entries.filter((e) => /\/(tasks|configmaps)\/a1(-config)?(\/status)?$/.test(e.path) && e.method !== 'GET').length;
    const writesBefore = writes();
    for (const how of [['-f', EXAMPLE, '--env', 'TASK_NAME=a1'], ['--task-id', 'a1'], ['task/a1']]) {
      const r = await run('launch', '--attach', ...how, ...conn());
      expect(r.code, `${how.join(' ')}: ${r.stderr}`).to.equal(0);
      expect(r.stdout).to.match(/^a1\s+TASK_RUNNING\s+\(none\) → standby\s+\[standby\]\n$/);
    }
    expect(writes()).to.equal(writesBefore);

    const none = await run('launch', '--attach', '--task-id', 'nobody', ...conn());
    expect(none.code).to.equal(3);
    expect(none.stderr.trim()).to.equal('error: task nobody: no Task with task-id nobody (label kubectl-task/task-id=nobody) in namespace launch [TaskGone]');
    expect((await run('kill', 'task/a1', ...conn())).code).to.equal(0);
  });

  it('render -o name and status -o name print the same kubectl form', async () => {
    const env = ['--env', 'TASK_NAME=named'];
    const rendered = await run('render', '-f', EXAMPLE, ...env, '-n', 'launch', '-o', 'name');
    expect(rendered.code, rendered.stderr).to.equal(0);
    expect(rendered.stdout).to.equal('configmap/named-config\ntask.aliecs.alice.cern/named\n');
    expect((await run('launch', '-f', EXAMPLE, ...env, ...conn())).code).to.equal(0);
    const byTemplate = await run('status', '-f', EXAMPLE, ...env, ...conn(), '-o', 'name');
    const byId = await run('status', '--task-id', 'named', ...conn(), '-o', 'name');
    expect(byTemplate.stdout).to.equal('task.aliecs.alice.cern/named\n');
    expect(byId.stdout).to.equal(byTemplate.stdout);
    // kubectl prints the same form, and kubectl-task takes it back.
    const kubectl = await cluster.kubectl.run(['get', 'tasks', 'named', '-o', 'name']);
    expect(kubectl.stdout).to.equal(byTemplate.stdout);
    expect((await run('kill', byId.stdout.trim(), ...conn())).code).to.equal(0);
  });
});

describe('cli launch without a task manager (sandbox + real kubectl)', function () {
  this.timeout(60_000);
  let test: TestSandbox;
  let kubectl: Kubectl;
  const conn = () => ['--kubeconfig', test.kubeconfig, '--context', 'admin', '-n', 'nomgr'];

  before(async () => {
    test = await startTestSandbox({ namespace: 'nomgr', tls: false, crd: 'project' }); // no controller
    kubectl = new Kubectl({ kubeconfig: test.kubeconfig, context: 'admin', namespace: 'nomgr', env: test.env });
  });
  after(async () => {
    await test?.cleanup();
  });

  it('exits 1 with NoStatus after --timeout, leaves the Task, and says how to kill it', async () => {
    const r = await run('launch', '-f', EXAMPLE, '--env', 'TASK_NAME=n1', ...conn(), '--timeout', '1s');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/n1\s+TASK_STAGING.*\nn1\s+TASK_STARTING\s+\[Applied\]/);
    expect(r.stderr.trim().split('\n')).to.deep.equal([
      'error: task n1: task.v1alpha1.aliecs.alice.cern/n1 in namespace nomgr reported no status.state within 1000 ms (is its task manager running?); the Task is left as it is: kill it with kubectl-task kill --task-id n1 -n nomgr [NoStatus]',
    ]);
    expect(await getObject(kubectl, taskRef('n1', 'nomgr'))).to.not.equal(undefined);
    // The command the message names does it.
    const killed = await run('kill', '--task-id', 'n1', '-n', 'nomgr', '--kubeconfig', test.kubeconfig, '--context', 'admin');
    expect(killed.code, killed.stderr).to.equal(0);
    expect(await getObject(kubectl, taskRef('n1', 'nomgr'))).to.equal(undefined);
    expect(await getObject(kubectl, configRef('n1-config', 'nomgr'))).to.equal(undefined);
  });

  it('--no-wait returns after the apply, as before', async () => {
    const r = await run('launch', '-f', EXAMPLE, '--env', 'TASK_NAME=n2', ...conn(), '--no-wait');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/n2\s+TASK_STARTING\s+\[Applied\]/);
    expect(r.stderr).to.equal('');
    expect((await run('kill', '--task-id', 'n2', ...conn())).code).to.equal(0);
  });
});
