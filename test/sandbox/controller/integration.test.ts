import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kubectl } from '../../../src/kubectl/runner.ts';
import { startFakeController, type FakeController } from '../../../src/sandbox/controller/index.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';
import { runFakeControllerCommand } from '../../../src/sandbox/controller/cli.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// The CRD kubectl-task installs: the controller must work with it, and it is in every checkout.
const CRD_PATH = path.join(ROOT, 'manifests', 'task-crd.yaml');
const TASK = 'tasks.v1alpha1.aliecs.alice.cern';

function taskYaml(namespace: string, name: string, annotations: Record<string, string> = {}): string {
  const lines = ['apiVersion: aliecs.alice.cern/v1alpha1', 'kind: Task', 'metadata:', `  name: ${name}`, `  namespace: ${namespace}`];
  const entries = Object.entries(annotations);
  if (entries.length > 0) {
    lines.push('  annotations:');
    for (const [key, value] of entries) lines.push(`    ${key}: ${JSON.stringify(value)}`);
  }
  lines.push('spec:', '  state: standby', '  control: {mode: direct, port: 31000}');
  return `${lines.join('\n')}\n`;
}

async function jsonpath(kubectl: Kubectl, namespace: string, name: string, expr: string): Promise<string> {
  const result = await kubectl.run(['get', TASK, name, '-o', `jsonpath=${expr}`], { namespace });
  return result.stdout;
}

/** Polls `kubectl get -o jsonpath` until it prints `expected`; the timeout is only a safety net. */
async function waitForJsonpath(kubectl: Kubectl, namespace: string, name: string, expr: string, expected: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = '';
  while (Date.now() < deadline) {
    last = await jsonpath(kubectl, namespace, name, expr);
    if (last === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect.fail(`${namespace}/${name} ${expr}: expected ${JSON.stringify(expected)}, still ${JSON.stringify(last)}`);
}

async function setDesired(kubectl: Kubectl, namespace: string, name: string, state: string): Promise<void> {
  await kubectl.run(['patch', TASK, name, '--type=merge', '-p', JSON.stringify({ spec: { state } })], { namespace });
}

describe('sandbox/controller integration (sandbox + real kubectl)', function () {
  this.timeout(90_000);
  let sandbox: Sandbox;
  let kubectl: Kubectl;
  let dir: string;
  const controllers: FakeController[] = [];
  const logs: string[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fake-controller-test-'));
    // TLS and token auth (the sandbox's defaults), as a real cluster would have them.
    sandbox = await startSandbox({ kubeconfigPath: path.join(dir, 'kubeconfig') });
    kubectl = new Kubectl({
      kubeconfig: sandbox.kubeconfigPath,
      timeoutMs: 60_000,
      env: { ...process.env, KUBECACHEDIR: path.join(dir, 'cache') },
    });
    // Started before the CRD exists: it must wait for it (404 on the list) and then pick Tasks up.
    controllers.push(
      await startFakeController({
        transport: {
          kind: 'http',
          url: sandbox.url,
          ...(sandbox.tokens['admin'] === undefined ? {} : { token: sandbox.tokens['admin'] }),
          ...(sandbox.caPem === undefined ? {} : { caPem: sandbox.caPem }),
        },
        namespace: 'ctl-http',
        delayMs: 50,
        log: (line) => logs.push(line),
      }),
    );
    await kubectl.run(['apply', '-f', '-'], { stdin: await readFile(CRD_PATH, 'utf8'), namespace: null });
    for (const ns of ['ctl-http', 'ctl-kubectl', 'ctl-cli']) {
      await kubectl.run(['apply', '-f', '-'], { stdin: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`, namespace: null });
    }
  });

  after(async () => {
    for (const controller of controllers) await controller.stop();
    await sandbox?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('http transport: status.state follows spec.state patched with kubectl', async () => {
    await kubectl.run(['apply', '-f', '-'], { stdin: taskYaml('ctl-http', 'follow'), namespace: null });
    await waitForJsonpath(kubectl, 'ctl-http', 'follow', '{.status.state}', 'standby');
    await setDesired(kubectl, 'ctl-http', 'follow', 'configured');
    await waitForJsonpath(kubectl, 'ctl-http', 'follow', '{.status.state}', 'configured');
    await setDesired(kubectl, 'ctl-http', 'follow', 'running');
    // kubectl wait exercises the sandbox's watch against what the controller writes.
    await kubectl.run(['wait', `${TASK}/follow`, '--for=jsonpath={.status.state}=running', '--timeout=30s'], { namespace: 'ctl-http' });
    expect(controllers[0]?.writes).to.be.at.least(3);
  });

  it('http transport: fake-error-on writes error with the message, then stays in error', async () => {
    await kubectl.run(['apply', '-f', '-'], {
      stdin: taskYaml('ctl-http', 'fails', {
        'kubectl-task.io/fake-error-on': 'configured',
        'kubectl-task.io/fake-error-message': 'readout could not open the card',
      }),
      namespace: null,
    });
    await waitForJsonpath(kubectl, 'ctl-http', 'fails', '{.status.state}', 'standby');
    await setDesired(kubectl, 'ctl-http', 'fails', 'configured');
    await waitForJsonpath(kubectl, 'ctl-http', 'fails', '{.status.state}', 'error');
    expect(await jsonpath(kubectl, 'ctl-http', 'fails', '{.status.error}')).to.equal('readout could not open the card');
    await setDesired(kubectl, 'ctl-http', 'fails', 'standby');
    // A Task created afterwards reaching its state shows the controller had every chance to act.
    await kubectl.run(['apply', '-f', '-'], { stdin: taskYaml('ctl-http', 'witness'), namespace: null });
    await waitForJsonpath(kubectl, 'ctl-http', 'witness', '{.status.state}', 'standby');
    expect(await jsonpath(kubectl, 'ctl-http', 'fails', '{.status.state}')).to.equal('error');
  });

  it('http transport: fake-done-after-ms moves a running Task to done', async () => {
    await kubectl.run(['apply', '-f', '-'], {
      stdin: taskYaml('ctl-http', 'finishes', { 'kubectl-task.io/fake-done-after-ms': '300' }),
      namespace: null,
    });
    await setDesired(kubectl, 'ctl-http', 'finishes', 'running');
    await waitForJsonpath(kubectl, 'ctl-http', 'finishes', '{.status.state}', 'done');
  });

  it('http transport: a stuck Task is never updated', async () => {
    await kubectl.run(['apply', '-f', '-'], {
      stdin: taskYaml('ctl-http', 'stuck', { 'kubectl-task.io/fake-stuck': 'true' }),
      namespace: null,
    });
    await kubectl.run(['apply', '-f', '-'], { stdin: taskYaml('ctl-http', 'witness2'), namespace: null });
    await waitForJsonpath(kubectl, 'ctl-http', 'witness2', '{.status.state}', 'standby');
    expect(await jsonpath(kubectl, 'ctl-http', 'stuck', '{.status.state}')).to.equal('');
  });

  it('kubectl transport: status.state follows spec.state through kubectl only', async () => {
    controllers.push(
      await startFakeController({ transport: { kind: 'kubectl', kubectl }, namespace: 'ctl-kubectl', delayMs: 50, log: (line) => logs.push(line) }),
    );
    await kubectl.run(['apply', '-f', '-'], { stdin: taskYaml('ctl-kubectl', 'via-kubectl'), namespace: null });
    await waitForJsonpath(kubectl, 'ctl-kubectl', 'via-kubectl', '{.status.state}', 'standby');
    await setDesired(kubectl, 'ctl-kubectl', 'via-kubectl', 'configured');
    await waitForJsonpath(kubectl, 'ctl-kubectl', 'via-kubectl', '{.status.state}', 'configured');
    // The http controller watches only ctl-http: these writes came from the kubectl transport.
    expect(controllers[1]?.writes).to.be.at.least(2);
    await kubectl.run(['delete', TASK, 'via-kubectl'], { namespace: 'ctl-kubectl' });
  });

  it('stop() ends the controller: later spec changes are not followed', async () => {
    const controller = controllers[1];
    if (controller === undefined) throw new Error('kubectl-transport controller was not started');
    await controller.stop();
    expect(controller.state).to.equal('stopped');
    await kubectl.run(['apply', '-f', '-'], { stdin: taskYaml('ctl-kubectl', 'after-stop'), namespace: null });
    await kubectl.run(['apply', '-f', '-'], { stdin: taskYaml('ctl-http', 'witness3'), namespace: null });
    await waitForJsonpath(kubectl, 'ctl-http', 'witness3', '{.status.state}', 'standby');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await jsonpath(kubectl, 'ctl-kubectl', 'after-stop', '{.status.state}')).to.equal('');
  });

  it('fake-controller command: follows spec through kubectl until its signal aborts, exit code 0', async () => {
    const abort = new AbortController();
    const cliLogs: string[] = [];
    const exit = runFakeControllerCommand({
      kubeconfig: sandbox.kubeconfigPath,
      namespace: 'ctl-cli',
      delayMs: 20,
      signal: abort.signal,
      log: (line) => cliLogs.push(line),
    });
    await kubectl.run(['apply', '-f', '-'], { stdin: taskYaml('ctl-cli', 'cli'), namespace: null });
    await setDesired(kubectl, 'ctl-cli', 'cli', 'running');
    await waitForJsonpath(kubectl, 'ctl-cli', 'cli', '{.status.state}', 'running');
    abort.abort();
    expect(await exit).to.equal(0);
    expect(cliLogs.join('\n'))
      .to.match(/watching Tasks in namespace ctl-cli/)
      .and.match(/stopped after \d+ status writes/);
  });

  it('never logs the bearer token', () => {
    const token = sandbox.tokens['admin'];
    expect(token).to.be.a('string').and.not.equal('');
    expect(logs.join('\n')).to.not.contain(token);
  });
});
