/**
 * What both replays of the recordings (conformance.test.ts, conformance-batch.test.ts) share: the
 * manifests the first set's working directory held, the output normalisation, the server the
 * recordings are replayed against and the real kubectl run as the recorder ran it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { renderKubeconfig, type KubeconfigArgs } from '../../src/sandbox/auth/kubeconfig.ts';
import { route } from '../../src/sandbox/core/request-info.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';
import { UPSTREAM_CRD } from '../helpers/reference.ts';
import { loadManifest } from '../helpers/sandbox.ts';

const KUBECTL = process.env['KUBECTL'] ?? 'kubectl';

/** A managed Task of the first set (namespace rec, direct control on port 31000). */
const task = (name: string, namespace: string, state: string, extra = ''): string => `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
    app.kubernetes.io/managed-by: kubectl-task
spec:
  state: ${state}
  control:
    mode: direct
    port: 31000
${extra}`;

const t1 = (state: string, extra = ''): string => task('t1', 'rec', state, extra);

export const MANIFESTS: Record<string, string> = {
  't1.yaml': t1('standby'),
  't1-running.yaml': t1('running'),
  't1-bad-state.yaml': t1('bogus'),
  't1-bad-bind.yaml': t1('standby', '  bind:\n  - name: readout\n    type: push\n'),
  'multi.yaml': `${task('m1', 'rec', 'standby')}---
apiVersion: v1
kind: ConfigMap
metadata:
  name: readout-config
  namespace: rec
data:
  readout-cfg.ini: |
    [readout]
    aggregatorSliceTimeout=0.5
`,
  'other-ns.yaml': task('t9', 'does-not-exist', 'standby'),
};

/** Replaces what differs between two servers and two runs; keeps everything kubectl decided. */
export function normalise(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>')
    .replace(/("resourceVersion":\s*)"\d+"/g, '$1"<rv>"')
    .replace(/(resourceVersion:\s*)"\d+"/g, '$1"<rv>"')
    .replace(/^[EWI]\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ /gm, '<klog> ')
    .replace(/(127\.0\.0\.1|localhost):\d+/g, '<host>')
    .replace(/\b\d+(\.\d+)?(s|m|h|d)\b(?=\s*$)/gm, '<age>')
    .replace(/[ \t]+$/gm, '')
    .replace(/ {2,}/g, ' ');
}

/** A recorded request: what the replays compare the sandbox's requests with. */
export interface RecordedExchange {
  method: string;
  url: string;
  status: number;
}

/**
 * The resource requests (not discovery/openapi, whose set depends on the groups served) as
 * `METHOD path?query -> status`, sorted because kubectl runs some in parallel.
 */
export function resourceCalls(calls: { method: string; path: string; query: string; status: number }[]): string[] {
  return calls
    .filter((c) => route(c.method, c.path, new URLSearchParams(c.query)).kind === 'resource')
    .map((c) => `${c.method} ${c.path}?${c.query.replace(/(resourceVersion|timeoutSeconds)=\d+/g, '$1=N')} -> ${c.status}`)
    .sort();
}

/** The recorded requests in the form resourceCalls gives the sandbox's. */
export function recordedCalls(exchanges: RecordedExchange[]): string[] {
  return resourceCalls(
    exchanges.map((e) => {
      const [path = '', query = ''] = e.url.split('?');
      return { method: e.method, path, query, status: e.status };
    }),
  );
}

export interface RunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** A recorded kubectl's end: what a replayed one must match once both are normalised. */
export interface RecordedOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function compareOutcome(label: string, got: RunResult, want: RecordedOutcome, normaliseText: (text: string) => string = normalise): void {
  expect({ exitCode: got.exitCode, stdout: normaliseText(got.stdout), stderr: normaliseText(got.stderr) }, label).to.deep.equal({
    exitCode: want.exitCode,
    stdout: normaliseText(want.stdout),
    stderr: normaliseText(want.stderr),
  });
}

/** A kubectl started in the background: its process, its end, and its stdout so far. */
export interface Started {
  child: ChildProcessWithoutNullStreams;
  done: Promise<RunResult>;
  output(): string;
}

/** The sandbox the recordings are replayed against, and the real kubectl pointed at it. */
export interface ReplayServer {
  readonly sandbox: Sandbox;
  /** kubectl's working directory and HOME: the recordings' manifests go here. */
  readonly work: string;
  start(argv: string[], context: string, stdin?: string): Started;
  run(argv: string[], context: string, stdin?: string): Promise<RunResult>;
  close(): Promise<void>;
}

export interface ReplayServerOptions {
  /** Prefix of the temporary working directory. */
  tmpPrefix: string;
  namespace: string;
  /** The sandbox's static access rules by user name. */
  rules: NonNullable<SandboxOptions['rules']>;
  /** kubeconfig contexts besides admin and executor. */
  extraContexts?: KubeconfigArgs['users'];
}

/**
 * A sandbox that answers as the recording server did: kube-apiserver 1.26.1, users admin and
 * task-executor with the upstream Task CRD, and a kubeconfig with a context per user.
 */
export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const work = await mkdtemp(join(tmpdir(), options.tmpPrefix));
  const cacheDir = join(work, 'cache');
  const kubeconfig = join(work, 'kubeconfig');
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await startSandbox({
      namespace: options.namespace,
      version: { major: '1', minor: '26', gitVersion: 'v1.26.1' },
      users: { admin: { name: 'admin', groups: ['system:masters'] }, executor: { name: 'task-executor', groups: [] } },
      rules: options.rules,
      kubeconfigPath: join(work, 'sandbox-kubeconfig'),
    });
    await writeFile(
      kubeconfig,
      renderKubeconfig({
        server: sandbox.url,
        ...(sandbox.caPem !== undefined ? { caPem: sandbox.caPem } : {}),
        users: [
          { context: 'admin', user: 'admin', token: sandbox.tokens['admin']! },
          { context: 'executor', user: 'task-executor', token: sandbox.tokens['executor']! },
          ...(options.extraContexts ?? []),
        ],
        currentContext: 'admin',
        namespace: options.namespace,
      }),
      { mode: 0o600 },
    );
    for (const doc of await loadManifest(UPSTREAM_CRD)) sandbox.store.put(doc);
  } catch (e) {
    await sandbox?.close();
    await rm(work, { recursive: true, force: true });
    throw e;
  }
  const server = sandbox;

  // The recorder served each user on its own address, so each context had its own discovery cache.
  const args = (argv: string[], context: string): string[] => [
    ...argv.slice(1),
    '--kubeconfig',
    kubeconfig,
    '--context',
    context,
    '--cache-dir',
    join(cacheDir, context),
  ];

  function start(argv: string[], context: string, stdin?: string): Started {
    const child = spawn(KUBECTL, args(argv, context), { cwd: work, env: { ...process.env, HOME: work } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(stdin ?? '');
    const done = new Promise<RunResult>((res) => child.on('close', (code) => res({ exitCode: code, stdout, stderr })));
    return { child, done, output: () => stdout };
  }

  return {
    sandbox: server,
    work,
    start,
    run: (argv, context, stdin) => start(argv, context, stdin).done,
    async close() {
      await server.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}
