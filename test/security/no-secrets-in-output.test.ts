/**
 * No secret in any output. Token-like values go in through every channel a task has: `--env`, an
 * env file, `--arg` (CONFIGURE), a Secret companion's stringData written in the template, and
 * for `serve` the request's env, command.env and transition arguments. The CLI runs launch →
 * transition CONFIGURE → status → kill (and error paths) with DEBUG=kubectl-task:* and -v as its
 * own process; every byte of its stdout and stderr is kept, and so is the argv and environment of
 * every kubectl it starts (a recording `kubectl` first on PATH), and any file left in its TMPDIR.
 * None of it may hold a token. The values do reach the cluster: that is checked too, so the test
 * cannot pass by not delivering them.
 *
 * `render` is left out on purpose: it prints what launch would apply, Secrets included (its job is
 * `render | kubectl apply -f -`); `render -o name` prints names only.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  Bridge,
  SECRETS_OPT_IN,
  TASK_NS,
  cli,
  kubectlRecorder,
  occurrences,
  randomToken,
  startRbacCluster,
  type KubectlRecorder,
  type RbacCluster,
  type Run,
} from './harness.ts';

/** Secret, ConfigMap and Task, with a credential written into the template itself. */
function template(literal: string, extraSpec = ''): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: \${TASK_NAME}-creds
type: Opaque
stringData:
  token: "\${API_TOKEN}"
  literal: "${literal}"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: \${TASK_NAME}-config
data:
  db-password: "\${DB_PASSWORD}"
---
apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
spec:
  state: standby${extraSpec}
  pod:
    containers:
      - name: main
        image: busybox:1.36
        command: [/bin/sh, -c, "sleep infinity"]
        env:
          - name: API_TOKEN
            valueFrom:
              secretKeyRef:
                name: \${TASK_NAME}-creds
                key: token
          - name: DB_PASSWORD
            value: "\${DB_PASSWORD}"
`;
}

/** Every file under `dir` with its content (the temporary files kubectl-task may leave). */
async function filesUnder(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, text: await readFile(path, 'latin1').catch(() => '') });
  }
  return out;
}

describe('security: no secret in any output (logs at every DEBUG level, errors, status updates, argv)', function () {
  this.timeout(240_000);
  let c: RbacCluster;
  let recorder: KubectlRecorder;
  let dir: string;
  let tmp: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    c = await startRbacCluster();
    // The task ships a Secret: the executor needs the opt-in (and kill finds the Secret by label).
    const optIn = await c.admin(['apply', '-f', SECRETS_OPT_IN]);
    expect(optIn.code, optIn.stderr).to.equal(0);
    recorder = await kubectlRecorder(c.env);
    dir = await mkdtemp(join(tmpdir(), 'kubectl-task-no-secrets-'));
    tmp = join(dir, 'tmp');
    await mkdir(tmp);
    // Every debug namespace, and the product's own -v on top; TMPDIR to find leftover files.
    env = { ...recorder.env, DEBUG: '*', TMPDIR: tmp };
  });
  after(async () => {
    await c?.close();
    await recorder?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Fails naming every place a token was found: runs' output, kubectl argv/env, leftover files. */
  async function expectNoToken(tokens: Record<string, string>, runs: Record<string, Run>): Promise<void> {
    const places: Record<string, string> = { 'kubectl argv and environment (recorded)': await recorder.allBytes() };
    for (const [name, run] of Object.entries(runs)) {
      places[`${name}: stdout`] = run.stdout;
      places[`${name}: stderr`] = run.stderr;
    }
    for (const file of await filesUnder(tmp)) places[`file left in TMPDIR: ${file.path}`] = file.text;
    const found: string[] = [];
    for (const [channel, token] of Object.entries(tokens)) {
      for (const [where, text] of Object.entries(places)) {
        for (const hit of occurrences(text, token)) found.push(`${channel} token in ${where}: ${hit}`);
      }
    }
    expect(found, found.join('\n')).to.deep.equal([]);
  }

  async function secretValue(name: string, key: string): Promise<string> {
    const r = await c.admin(['get', 'secret', name, '-n', TASK_NS, '-o', `jsonpath={.data.${key}}`]);
    return Buffer.from(r.stdout, 'base64').toString('utf8');
  }

  it('the CLI (launch → CONFIGURE → status → kill, and its error paths) with DEBUG=* and -v', async () => {
    const tokens = { env: randomToken('env'), envFile: randomToken('file'), arg: randomToken('arg'), literal: randomToken('literal') };
    const file = join(dir, 'task.yaml');
    await writeFile(file, template(tokens.literal));
    const envFile = join(dir, 'task.env');
    await writeFile(envFile, `# credentials\nDB_PASSWORD=${tokens.envFile}\n`);
    const task = ['-f', file, '--env', 'TASK_NAME=leak1', '--env', `API_TOKEN=${tokens.env}`, '--env-file', envFile];
    const conn = ['--kubeconfig', c.test.kubeconfig, '--context', 'executor', '-n', TASK_NS, '-v'];
    await recorder.clear();
    const runs: Record<string, Run> = {};
    const step = async (name: string, args: string[], code: number) => {
      const r = await cli(env, args, { cwd: dir });
      runs[name] = r;
      expect(r.code, `${name}\n${r.stdout}\n${r.stderr.slice(-4000)}`).to.equal(code);
      return r;
    };

    await step('launch', ['launch', ...task, ...conn], 0);
    await step('launch again (AlreadyLaunched)', ['launch', ...task, ...conn], 1);
    const configured = await step(
      'transition CONFIGURE',
      ['transition', 'CONFIGURE', ...task, '--arg', `password=${tokens.arg}`, '--arg', `session=${tokens.arg}`, ...conn],
      0,
    );
    expect(configured.stdout).to.match(/standby → configured/);
    await step('transition CONFIGURE again (WrongState)', ['transition', 'CONFIGURE', ...task, '--arg', `password=${tokens.arg}`, ...conn], 2);
    await step('status -o json', ['status', ...task, '-o', 'json', ...conn], 0);
    await step('status --task-id -o yaml', ['status', '--task-id', 'leak1', '-o', 'yaml', ...conn], 0);
    await step(
      'launch in a namespace it may not use (Forbidden)',
      ['launch', ...task, '--kubeconfig', c.test.kubeconfig, '--context', 'executor', '-n', 'default', '-v'],
      3,
    );
    await step('launch with a variable missing (RenderError)', ['launch', '-f', file, '--env', `API_TOKEN=${tokens.env}`, '--env-file', envFile, ...conn], 2);
    await step('render -o name', ['render', ...task, '-o', 'name', '-v'], 0);

    // Delivered where they belong before the kill removes them: the cluster has every value.
    expect(await secretValue('leak1-creds', 'token')).to.equal(tokens.env);
    expect(await secretValue('leak1-creds', 'literal')).to.equal(tokens.literal);
    const config = await c.admin(['get', 'configmap', 'leak1-config', '-n', TASK_NS, '-o', 'jsonpath={.data.db-password}']);
    expect(config.stdout).to.equal(tokens.envFile);
    const args = await c.admin(['get', 'task', 'leak1', '-n', TASK_NS, '-o', 'jsonpath={.spec.arguments.password}']);
    expect(args.stdout).to.equal(tokens.arg);

    const killed = await step('kill -o json', ['kill', ...task, '-o', 'json', ...conn], 0);
    expect(killed.stdout).to.contain('"state":"TASK_KILLED"');

    // The debug logs ran (so there was something to leak), and kubectl was recorded.
    expect(runs['launch']?.stderr).to.contain('kubectl-task:kubectl').and.contain('kubectl-task:render');
    expect(runs['launch']?.stderr).to.contain('rendered (secrets redacted)');
    const argvs = await recorder.argvs();
    expect(argvs.length).to.be.greaterThan(15);
    expect(argvs.some((a) => a.includes('--patch-file') || a.some((x) => x.startsWith('--patch-file=')))).to.equal(true);
    await expectNoToken(tokens, runs);
  });

  it('serve (the bridge): requests, responses, status updates and logs with DEBUG=* and -v', async () => {
    const tokens = { env: randomToken('benv'), commandEnv: randomToken('bcmd'), arg: randomToken('barg'), literal: randomToken('bliteral') };
    await recorder.clear();
    const bridge = new Bridge(['--kubeconfig', c.test.kubeconfig, '--context', 'executor', '-n', TASK_NS, '-v'], env, dir);
    try {
      await bridge.until((m) => m['type'] === 'ready', 'ready line');
      bridge.send(
        JSON.stringify({
          type: 'launch',
          id: 1,
          taskId: 'leak2',
          manifest: template(tokens.literal),
          env: { TASK_NAME: 'leak2', DB_PASSWORD: tokens.env },
          command: { value: 'sleep', arguments: [], env: [`API_TOKEN="${tokens.commandEnv}"`] },
        }),
      );
      expect(await bridge.response(1)).to.deep.include({ ok: true });
      bridge.send(JSON.stringify({ type: 'transition', id: 2, taskId: 'leak2', event: 'CONFIGURE', arguments: { password: tokens.arg, api_key: tokens.arg } }));
      expect(await bridge.response(2)).to.deep.include({ ok: true });
      bridge.send(JSON.stringify({ type: 'status', id: 3 }));
      expect(await bridge.response(3)).to.deep.include({ ok: true });
      // Error paths: a wrong-state transition, an unknown field, a wrong type, a line that is not JSON.
      bridge.send(JSON.stringify({ type: 'transition', id: 4, taskId: 'leak2', event: 'CONFIGURE', arguments: { password: tokens.arg } }));
      expect(await bridge.response(4)).to.deep.include({ ok: false });
      bridge.send(JSON.stringify({ type: 'launch', id: 5, taskId: 'leak3', manifest: 'x.yaml', env: { API_TOKEN: tokens.env }, password: tokens.env }));
      expect(await bridge.response(5)).to.deep.include({ ok: false });
      bridge.send(JSON.stringify({ type: 'transition', id: 6, taskId: 'leak2', event: 'CONFIGURE', arguments: { password: 7 }, note: tokens.arg }));
      expect(await bridge.response(6)).to.deep.include({ ok: false });
      bridge.send(`{"type":"launch","id":7,"env":{"API_TOKEN":"${tokens.env}"`);
      await bridge.until(
        (m) => m['type'] === 'response' && m['ok'] === false && (m['error'] as { reason?: string } | undefined)?.reason === 'BadRequest' && m['id'] === null,
        'BadRequest for the broken line',
      );

      expect(await secretValue('leak2-creds', 'token')).to.equal(tokens.commandEnv);
      expect(await secretValue('leak2-creds', 'literal')).to.equal(tokens.literal);
      const args = await c.admin(['get', 'task', 'leak2', '-n', TASK_NS, '-o', 'jsonpath={.spec.arguments.api_key}']);
      expect(args.stdout).to.equal(tokens.arg);

      bridge.send(JSON.stringify({ type: 'kill', id: 8, taskId: 'leak2' }));
      expect(await bridge.response(8)).to.deep.include({ ok: true });
      bridge.send(JSON.stringify({ type: 'shutdown', id: 9 }));
      await bridge.response(9);
      expect(await bridge.exited).to.equal(0);
    } finally {
      bridge.stop();
    }
    const states = bridge.messages
      .filter((m) => m['type'] === 'status' && m['taskId'] === 'leak2')
      .map((m) => `${String(m['state'])}/${String(m['taskState'] ?? '')}`);
    expect(states).to.include.members(['TASK_STARTING/', 'TASK_RUNNING/standby', 'TASK_RUNNING/configured', 'TASK_KILLED/configured']);
    expect(bridge.stderr).to.contain('kubectl-task:kubectl');
    expect((await recorder.argvs()).length).to.be.greaterThan(5);
    expect((await c.admin(['get', 'task,configmap,secret', '-n', TASK_NS, '-o', 'name'])).stdout).to.not.contain('leak2');
    await expectNoToken(tokens, { serve: { code: 0, stdout: bridge.stdout, stderr: bridge.stderr } });
  });

  it('a value the API server echoes in a validation error (a secret variable in an enum field)', async () => {
    // The API server quotes an unsupported value back ("Unsupported value: \"…\""): a secret
    // variable put in a validated field by mistake reaches the error message and status update.
    const token = randomToken('echo');
    const file = join(dir, 'echo.yaml');
    await writeFile(file, template('literal-not-secret', '\n  control:\n    mode: "${API_TOKEN}"'));
    await recorder.clear();
    const run = await cli(
      env,
      [
        'launch',
        '-f',
        file,
        '--env',
        'TASK_NAME=leak4',
        '--env',
        `API_TOKEN=${token}`,
        '--env',
        'DB_PASSWORD=x',
        '--kubeconfig',
        c.test.kubeconfig,
        '--context',
        'executor',
        '-n',
        TASK_NS,
        '-v',
      ],
      { cwd: dir },
    );
    expect(run.code, run.stderr).to.equal(3);
    expect(run.stderr).to.contain('Unsupported value');
    expect(run.stderr).to.contain('<redacted>');
    await expectNoToken({ echo: token }, { 'launch (Invalid)': run });
  });
});
