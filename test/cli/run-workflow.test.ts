/**
 * run-workflow as a user runs it: the real bin in a child process whose current directory is not
 * the checkout, against a sandbox with the fake task manager.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { ExecutorEnvError, executorEnv } from '../../src/render/executor-env.ts';
import { repoRoot, startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const BIN = path.join(repoRoot, 'bin', 'kubectl-task.js');
const NO_SUCH_USER = 'kubectl-task-no-such-user';

// A manifest whose Task uses the executor identity, next to the workflow that names it bare.
const TEMPLATE = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
spec:
  state: standby
  control: {mode: direct, port: 31000}
  pod:
    containers:
      - name: main
        image: busybox:1.36
        securityContext:
          runAsUser: \${FLP_UID}
`;
const WORKFLOW = `control: {mode: kubectl_direct}
command:
  env: [TASK_NAME=rw-user]
  user: flp
  value: sleep
  arguments: [task.yaml, infinity]
`;

describe('cli run-workflow (bin, from another directory)', function () {
  this.timeout(90_000);
  let cluster: TaskCluster;
  let dir: string;

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'rw' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-task-run-workflow-'));
    await mkdir(path.join(dir, 'wf'));
    await writeFile(path.join(dir, 'wf', 'task.yaml'), TEMPLATE);
    await writeFile(path.join(dir, 'wf', 'user-kube.yaml'), WORKFLOW);
  });
  after(async () => {
    await cluster?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The CLI with `dir` as its current directory, which holds no templates/ or control-workflows/. */
  const cli = (...args: string[]) => execa('node', [BIN, ...args], { cwd: dir, reject: false, env: { ...process.env, KUBECACHEDIR: path.join(dir, 'cache') } });
  const conn = () => ['--kubeconfig', cluster.kubeconfig, '--context', 'admin', '-n', 'rw'];

  it('--help lists --user and states where the manifest is looked for', async () => {
    const r = await cli('run-workflow', '--help');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^ {2}--user NAME /m);
    expect(r.stdout).to.contain("a relative one is looked up in the workflow file's directory, then in its parent");
    expect(r.stdout).to.contain('never in the current directory');
  });

  it("launches control-workflows/example-kube.yaml, whose templates/example.yaml is relative to the workflow's parent", async () => {
    const workflow = path.join(repoRoot, 'control-workflows', 'example-kube.yaml');
    const r = await cli('run-workflow', workflow, ...conn(), '--env', 'TASK_NAME=rw1');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/TASK_RUNNING/);
    const k = await cli('kill', '-f', path.join(repoRoot, 'templates', 'example.yaml'), '--env', 'TASK_NAME=rw1', ...conn());
    expect(k.exitCode, k.stderr).to.equal(0);
  });

  it('an unknown user: the error says to pass --user NAME or set FLP_UID/FLP_GID (exit 2)', async () => {
    // A relative WORKFLOW is taken from the cwd, its bare manifest name from the workflow's directory.
    const r = await cli('run-workflow', 'wf/user-kube.yaml', '--user', NO_SUCH_USER, ...conn());
    expect(r.exitCode, r.stderr).to.equal(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).to.have.length(1);
    expect(lines[0]).to.contain(`${path.join(dir, 'wf', 'task.yaml')}: user "${NO_SUCH_USER}" not found`);
    expect(lines[0]).to.contain('pass --user NAME');
    expect(lines[0]).to.contain('set FLP_UID and FLP_GID');
  });

  it('FLP_UID and FLP_GID given with --env need no such user', async () => {
    const r = await cli('run-workflow', 'wf/user-kube.yaml', '--user', NO_SUCH_USER, '--env', 'FLP_UID=1234', '--env', 'FLP_GID=1234', ...conn());
    expect(r.exitCode, r.stderr).to.equal(0);
    const uid = await cluster.kubectl.run(['get', 'tasks.aliecs.alice.cern', 'rw-user', '-o', 'jsonpath={.spec.pod.containers[0].securityContext.runAsUser}']);
    expect(uid.stdout).to.equal('1234');
    const k = await cli(
      'kill',
      '-f',
      path.join(dir, 'wf', 'task.yaml'),
      '--env',
      'TASK_NAME=rw-user',
      '--env',
      'FLP_UID=1234',
      '--env',
      'FLP_GID=1234',
      ...conn(),
    );
    expect(k.exitCode, k.stderr).to.equal(0);
  });

  it('the default user flp, when missing, gets the same advice (injected lookup)', () => {
    expect(() => executorEnv({ lookupUser: () => undefined })).to.throw(
      ExecutorEnvError,
      /^user "flp" not found in \/etc\/passwd .*: pass --user NAME of an existing user, or set FLP_UID and FLP_GID /,
    );
  });
});
