import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';
import type { KubectlResult } from '../../src/kubectl/types.ts';
import { PROJECT_CRD, UPSTREAM_CRD } from '../helpers/sandbox.ts';

// The unmodified upstream CRD (a 213 KB schema) when the reference data is there, else ours.
const CRD_PATH = existsSync(UPSTREAM_CRD) ? UPSTREAM_CRD : PROJECT_CRD;
const BIN_DIR = '/usr/lib/google-cloud-sdk/bin';
const MINORS = [27, 28, 29, 30, 31, 32, 33];
const TASK = 'tasks.v1alpha1.aliecs.alice.cern';

function taskYaml(namespace: string): string {
  return [
    'apiVersion: aliecs.alice.cern/v1alpha1',
    'kind: Task',
    'metadata:',
    '  name: smoke',
    `  namespace: ${namespace}`,
    '  labels: {app.kubernetes.io/managed-by: kubectl-task}',
    'spec:',
    '  state: standby',
    '  control: {mode: direct, port: 31000}',
    '',
  ].join('\n');
}

/** Resolves with the first stdout line of a `kubectl get --watch`, then stops kubectl. */
async function firstWatchLine(kubectl: Kubectl, args: readonly string[], namespace: string): Promise<string> {
  let resolveLine: (line: string) => void = () => {};
  const first = new Promise<string>((resolve) => {
    resolveLine = resolve;
  });
  const stream = kubectl.stream(args, { namespace, onLine: (line) => resolveLine(line) });
  const ended = stream.done.then((result) => {
    throw new Error(`kubectl ${args.join(' ')} ended (exit ${String(result.exitCode)}) before printing an event: ${result.stderr}`);
  });
  try {
    return await Promise.race([first, ended]);
  } finally {
    stream.stop();
    await stream.done;
  }
}

interface SmokeRun {
  sandbox: Sandbox;
  minor: number;
  binary: string;
  namespace: string;
  cacheDir: string;
  crd: string;
}

/** kubectl must print no warning against the sandbox: every step that succeeds has an empty stderr. */
function quiet(step: string, r: KubectlResult): KubectlResult {
  expect(r.stderr, `${step}: stderr`).to.equal('');
  return r;
}

/** apply CRD + namespace + Task, get, patch, wait, get --watch, delete, with one versioned binary. */
async function smoke(run: SmokeRun): Promise<void> {
  const { sandbox, minor, binary, namespace, crd } = run;
  const kubectl = new Kubectl({ binary, kubeconfig: sandbox.kubeconfigPath, timeoutMs: 60_000 });
  const cache = `--cache-dir=${run.cacheDir}`;
  const version = quiet('version', await kubectl.run(['version', '--client', '-o', 'json'], { namespace: null }));
  expect(version.stdout).to.contain(`"minor": "${minor}"`);

  quiet('apply crd', await kubectl.run([cache, 'apply', '-f', '-'], { stdin: crd, namespace: null }));
  const nsYaml = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`;
  quiet('apply namespace', await kubectl.run([cache, 'apply', '-f', '-'], { stdin: nsYaml, namespace: null }));
  const applied = quiet('apply task', await kubectl.run([cache, 'apply', '-f', '-'], { stdin: taskYaml(namespace), namespace: null }));
  expect(applied.stdout.trim()).to.equal('task.aliecs.alice.cern/smoke created');

  const spec = quiet('get', await kubectl.run([cache, 'get', TASK, 'smoke', '-o', 'jsonpath={.spec.state}'], { namespace }));
  expect(spec.stdout).to.equal('standby');

  const patch = JSON.stringify([{ op: 'replace', path: '/spec/state', value: 'configured' }]);
  const patched = quiet('patch', await kubectl.run([cache, 'patch', TASK, 'smoke', '--type=json', '-p', patch], { namespace }));
  expect(patched.stdout.trim()).to.equal('task.aliecs.alice.cern/smoke patched');

  const waited = quiet(
    'wait',
    await kubectl.run([cache, 'wait', `${TASK}/smoke`, '--for=jsonpath={.status.state}=configured', '--timeout=60s'], { namespace }),
  );
  expect(waited.stdout.trim()).to.equal('task.aliecs.alice.cern/smoke condition met');

  const line = await firstWatchLine(kubectl, [cache, 'get', TASK, 'smoke', '--watch', '-o', 'json', '--output-watch-events'], namespace);
  const event: unknown = JSON.parse(line);
  expect(event).to.deep.nested.include({ type: 'ADDED', 'object.metadata.name': 'smoke', 'object.status.state': 'configured' });

  const deleted = quiet('delete', await kubectl.run([cache, 'delete', TASK, 'smoke'], { namespace }));
  expect(deleted.stdout.trim()).to.equal('task.aliecs.alice.cern "smoke" deleted');
  const gone = await kubectl.tryRun([cache, 'get', TASK, 'smoke'], { namespace });
  expect(gone.exitCode).to.equal(1);
  expect(gone.stderr).to.equal('Error from server (NotFound): tasks.aliecs.alice.cern "smoke" not found\n');
  // The versioned binary itself (not the dispatcher's default) sent the patch.
  const patches = sandbox.requestLog.entries.filter(
    (e) => e.verb === 'patch' && e.path === `/apis/aliecs.alice.cern/v1alpha1/namespaces/${namespace}/tasks/smoke`,
  );
  expect(patches.map((e) => e.userAgent)).to.have.length.greaterThan(0);
  for (const entry of patches) expect(entry.userAgent).to.match(new RegExp(`/v1\\.${minor}\\.\\d+ `));
}

describe('sandbox: kubectl versions smoke (versioned binaries)', function () {
  this.timeout(120_000);
  let crd: string;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-versions-'));
    crd = await readFile(CRD_PATH, 'utf8');
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const start = (name: string, extra: SandboxOptions = {}): Promise<Sandbox> =>
    startSandbox({ kubeconfigPath: path.join(dir, `kubeconfig-${name}`), controller: { delayMs: 20 }, ...extra });

  describe('against one sandbox reporting 1.26 (legacy discovery)', () => {
    let sandbox: Sandbox;
    before(async () => {
      sandbox = await start('1.26');
    });
    after(async () => {
      await sandbox?.close();
    });

    for (const minor of MINORS) {
      const binary = path.join(BIN_DIR, `kubectl.1.${minor}`);
      it(`kubectl 1.${minor}: apply CRD + Task, get, patch, wait, get --watch, delete`, async function () {
        if (!existsSync(binary)) {
          if (this.test !== undefined) this.test.title += ` (skipped: ${binary} is missing)`;
          this.skip();
        }
        // One discovery cache per version, reused by every call of that version.
        await smoke({ sandbox, minor, binary, crd, namespace: `smoke-1-${minor}`, cacheDir: path.join(dir, `cache-1.26-1.${minor}`) });
      });
    }
  });

  describe('against a sandbox reporting the same version (aggregated discovery from 1.27)', () => {
    for (const minor of MINORS) {
      const binary = path.join(BIN_DIR, `kubectl.1.${minor}`);
      it(`kubectl 1.${minor} against a 1.${minor} sandbox`, async function () {
        if (!existsSync(binary)) {
          if (this.test !== undefined) this.test.title += ` (skipped: ${binary} is missing)`;
          this.skip();
        }
        const sandbox = await start(`1.${minor}`, { version: { major: '1', minor: String(minor), gitVersion: `v1.${minor}.0` } });
        try {
          await smoke({ sandbox, minor, binary, crd, namespace: 'smoke', cacheDir: path.join(dir, `cache-same-1.${minor}`) });
          const discovery = sandbox.requestLog.entries.filter((e) => e.path.startsWith('/apis/aliecs.alice.cern/'));
          // With aggregated discovery kubectl needs no per-group-version discovery request.
          expect(discovery.filter((e) => e.path === '/apis/aliecs.alice.cern/v1alpha1')).to.deep.equal([]);
        } finally {
          await sandbox.close();
        }
      });
    }
  });
});
