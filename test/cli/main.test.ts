import { expect } from 'chai';
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, readFile, symlink, writeFile, rm } from 'node:fs/promises';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { captureOut } from '../helpers/capture.ts';
import { repoRoot, startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const TEMPLATE = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
spec:
  state: standby
  control:
    mode: direct
    port: \${PORT:-31000}
  properties:
    role: \${O2_ROLE}
`;

describe('cli (in-process, sandbox + real kubectl)', function () {
  this.timeout(60_000);
  let cluster: TaskCluster;
  let dir: string;
  let template: string;

  before(async () => {
    cluster = await startTaskCluster({ namespace: 'cli' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-task-cli-'));
    template = path.join(dir, 'task.yaml');
    await writeFile(template, TEMPLATE);
  });
  after(async () => {
    await cluster?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(...argv: string[]) {
    const out = captureOut();
    const code = await main(argv, { out, signal: new AbortController().signal });
    return { code, stdout: out.stdoutText(), stderr: out.stderrText() };
  }
  const conn = () => ['--kubeconfig', cluster.kubeconfig, '--context', 'admin', '-n', 'cli'];

  it('render prints the labelled objects and needs no cluster', async () => {
    const r = await run('render', '-f', template, '--env', 'TASK_NAME=r1', '--env', 'O2_ROLE=flp001', '-n', 'cli');
    expect(r.code, r.stderr).to.equal(0);
    const doc = parseYaml(r.stdout) as { metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { control: { port: unknown } } };
    expect(doc.metadata).to.deep.include({ name: 'r1', namespace: 'cli' });
    expect(doc.metadata.labels['app.kubernetes.io/managed-by']).to.equal('kubectl-task');
    expect(doc.spec.control.port).to.equal(31000);
  });

  it('render reports every missing variable in one line and exits 2', async () => {
    const r = await run('render', '-f', template, '-n', 'cli');
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.contain(`${template}: missing variables: TASK_NAME`);
    expect(r.stderr).to.contain('O2_ROLE');
  });

  it('launch → transition → status → kill, with kubectl-style flags and exit codes', async () => {
    const env = ['--env', 'TASK_NAME=c1', '--env', 'O2_ROLE=flp001'];
    const launched = await run('launch', '-f', template, ...env, ...conn());
    expect(launched.code, launched.stderr).to.equal(0);
    expect(launched.stdout).to.match(/c1\s+TASK_RUNNING\s+\(none\) → standby/);

    const configured = await run('transition', 'CONFIGURE', '-f', template, ...env, ...conn(), '--arg', 'environment_id=E1');
    expect(configured.code, configured.stderr).to.equal(0);
    expect(configured.stdout).to.match(/standby → configured/);

    const wrong = await run('transition', 'RESET', '-f', template, ...env, ...conn());
    expect(wrong.code).to.equal(0);
    const again = await run('transition', 'START', '-f', template, ...env, ...conn());
    expect(again.code).to.equal(2);
    expect(again.stderr).to.contain('cannot START from "standby"; START needs "configured"');

    const status = await run('status', '-f', template, ...env, ...conn(), '-o', 'json');
    expect(status.code, status.stderr).to.equal(0);
    expect(JSON.parse(status.stdout)).to.deep.include({ name: 'c1', namespace: 'cli', desired: 'standby', actual: 'standby', executorState: 'TASK_RUNNING' });

    const killed = await run('kill', '-f', template, ...env, ...conn());
    expect(killed.code, killed.stderr).to.equal(0);
    expect(killed.stdout).to.contain('TASK_KILLED');
    const twice = await run('kill', '-f', template, ...env, ...conn());
    expect(twice.code, twice.stderr).to.equal(0);
    const gone = await run('status', '-f', template, ...env, ...conn(), '-o', 'json');
    expect(gone.code).to.equal(1);
    expect(JSON.parse(gone.stdout)).to.include({ executorState: 'TASK_LOST' });
  });

  it('watch prints every change as JSON lines until the task ends', async () => {
    const env = ['--env', 'TASK_NAME=w1', '--env', 'O2_ROLE=flp001'];
    expect((await run('launch', '-f', template, ...env, ...conn())).code).to.equal(0);
    const watching = run('watch', '-f', template, ...env, ...conn(), '-o', 'json');
    await new Promise((r) => setTimeout(r, 300));
    expect((await run('transition', 'CONFIGURE', '-f', template, ...env, ...conn())).code).to.equal(0);
    await cluster.kubectl.run(['delete', 'task.v1alpha1.aliecs.alice.cern/w1']);
    const watched = await watching;
    expect(watched.code, watched.stderr).to.equal(1);
    const updates = watched.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { state: string; taskState?: string; reason: string });
    expect(updates.map((u) => u.taskState ?? u.reason)).to.include.members(['configured', 'Deleted']);
    expect(updates.at(-1)).to.include({ state: 'TASK_LOST', reason: 'Deleted' });
  });

  it('maps usage, invalid-object and unreachable-cluster failures to exit codes 2 and 3', async () => {
    expect((await run('frobnicate')).code).to.equal(2);
    const badFlag = await run('launch', '--no-such-flag');
    expect(badFlag.code).to.equal(2);
    expect(badFlag.stderr).to.match(/^error: launch: .*--no-such-flag/);
    const invalid = await run('launch', '-f', template, '--env', 'TASK_NAME=bad', '--env', 'O2_ROLE=x', '--env', 'PORT="text"', ...conn());
    expect(invalid.code).to.equal(3);
    expect(invalid.stderr).to.match(/Invalid/);
    await writeFile(path.join(dir, 'dead.kubeconfig'), deadKubeconfig());
    const unreachable = await run(
      'launch',
      '-f',
      template,
      '--env',
      'TASK_NAME=u',
      '--env',
      'O2_ROLE=x',
      '--kubeconfig',
      path.join(dir, 'dead.kubeconfig'),
      '-n',
      'cli',
      '--timeout',
      '2s',
    );
    expect(unreachable.code).to.equal(3);
    expect(unreachable.stderr).to.match(/Unreachable/);
  });

  it('run-workflow launches what a control workflow describes', async () => {
    const r = await run('run-workflow', path.join(repoRoot, 'control-workflows', 'example-kube.yaml'), ...conn(), '--env', 'TASK_NAME=wf1');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/TASK_RUNNING/);
    const k = await run('kill', '-f', path.join(repoRoot, 'templates', 'example.yaml'), '--env', 'TASK_NAME=wf1', ...conn());
    expect(k.code, k.stderr).to.equal(0);
  });

  it('takes --kubeconfig, --context, -n and --kubectl before the command, as kubectl does', async () => {
    const env = ['--env', 'TASK_NAME=g1', '--env', 'O2_ROLE=flp001'];
    const launched = await run(`--kubeconfig=${cluster.kubeconfig}`, '--context', 'admin', '-n', 'cli', 'launch', '-f', template, ...env);
    expect(launched.code, launched.stderr).to.equal(0);
    expect(launched.stdout).to.match(/g1\s+TASK_RUNNING/);
    const status = await run(
      '--kubeconfig',
      cluster.kubeconfig,
      '--context=admin',
      '-n=cli',
      '--kubectl',
      'kubectl',
      'status',
      '-f',
      template,
      ...env,
      '-o',
      'json',
    );
    expect(status.code, status.stderr).to.equal(0);
    expect(JSON.parse(status.stdout)).to.deep.include({ name: 'g1', namespace: 'cli', executorState: 'TASK_RUNNING' });
    // A flag after the command wins over the same flag before it, as in kubectl.
    const wrongFirst = await run(
      '--kubeconfig',
      path.join(dir, 'nowhere'),
      '-ncli',
      'status',
      '-f',
      template,
      ...env,
      '--kubeconfig',
      cluster.kubeconfig,
      '--context',
      'admin',
      '-o',
      'json',
    );
    expect(wrongFirst.code, wrongFirst.stderr).to.equal(0);
    const killed = await run('--kubeconfig', cluster.kubeconfig, '--context', 'admin', '--namespace', 'cli', 'kill', '-f', template, ...env);
    expect(killed.code, killed.stderr).to.equal(0);
    expect(killed.stdout).to.contain('TASK_KILLED');
  });

  it('rejects unknown or incomplete flags before the command in one line (exit 2)', async () => {
    const unknown = await run('--frobnicate', 'status');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.equal(
      'error: unknown flag "--frobnicate" before the command (allowed there: --kubeconfig, --context, -n/--namespace, --kubectl, -v)\n',
    );
    const noValue = await run('--kubeconfig');
    expect(noValue.code).to.equal(2);
    expect(noValue.stderr).to.equal('error: flag --kubeconfig needs a value\n');
    const noCommand = await run('--kubeconfig', 'F');
    expect(noCommand.code).to.equal(2);
    expect(noCommand.stdout).to.contain('Commands:');
  });

  it('--version and `version` print the version of package.json', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    for (const argv of [['--version'], ['version'], ['--kubeconfig', 'F', '--version']]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).to.equal(0);
      expect(r.stdout).to.equal(`kubectl-task ${pkg.version}\n`);
    }
    // Through the bin too: `node --` in its shebang leaves --version to us.
    const bin = await execa('node', [path.join(repoRoot, 'bin', 'kubectl-task.js'), '--version']);
    expect(bin.stdout).to.equal(`kubectl-task ${pkg.version}`);
  });

  it('as the kubectl plugin, `kubectl task --kubeconfig F -n NS [-v] COMMAND` works', async () => {
    const bin = path.join(dir, 'plugin-bin');
    await execa('mkdir', ['-p', bin]);
    await symlink(path.join(repoRoot, 'bin', 'kubectl-task.js'), path.join(bin, 'kubectl-task'));
    const env = ['--env', 'TASK_NAME=pg1', '--env', 'O2_ROLE=x'];
    const plugin = (...args: string[]) =>
      execa('kubectl', ['task', '--kubeconfig', cluster.kubeconfig, '--context', 'admin', '-n', 'cli', ...args], {
        env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, KUBECACHEDIR: path.join(dir, 'plugin-cache') },
        reject: false,
      });
    const launched = await plugin('launch', '-f', template, ...env);
    expect(launched.exitCode, launched.stderr).to.equal(0);
    const status = await execa(
      'kubectl',
      ['task', '-v', `--kubeconfig=${cluster.kubeconfig}`, '--context=admin', '-ncli', 'status', '-f', template, ...env, '-o', 'json'],
      {
        env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, KUBECACHEDIR: path.join(dir, 'plugin-cache') },
        reject: false,
      },
    );
    expect(status.exitCode, status.stderr).to.equal(0);
    expect(status.stderr).to.contain('kubectl-task:kubectl'); // -v before the command: debug lines on stderr
    expect(JSON.parse(status.stdout)).to.deep.include({ name: 'pg1', namespace: 'cli', executorState: 'TASK_RUNNING' });
    const killed = await plugin('kill', '-f', template, ...env);
    expect(killed.exitCode, killed.stderr).to.equal(0);
  });

  it('works as the kubectl plugin `kubectl task`', async () => {
    const bin = path.join(dir, 'bin');
    await execa('mkdir', ['-p', bin]);
    await symlink(path.join(repoRoot, 'bin', 'kubectl-task.js'), path.join(bin, 'kubectl-task'));
    const r = await execa('kubectl', ['task', 'render', '-f', template, '--env', 'TASK_NAME=p1', '--env', 'O2_ROLE=x', '-n', 'cli', '-o', 'name'], {
      env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` },
      reject: false,
    });
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal('task.aliecs.alice.cern/p1');
    // Node 20 would take --env-file for its own flag and die before our code ran.
    const missing = await execa('kubectl', ['task', 'render', '-f', template, '--env-file', path.join(dir, 'no-such.env')], {
      env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` },
      reject: false,
    });
    expect(missing.exitCode).to.equal(2);
    expect(missing.stderr).to.contain(`cannot read --env-file ${path.join(dir, 'no-such.env')}: ENOENT`);
  });
});

function deadKubeconfig(): string {
  return `apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "http://127.0.0.1:1"}}]
users: [{name: u, user: {}}]
contexts: [{name: dead, context: {cluster: dead, user: u, namespace: cli}}]
current-context: dead
`;
}
