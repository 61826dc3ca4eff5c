/**
 * Where the benchmark runs: the embedded sandbox (its own process, fake task manager with delay
 * 0), or any cluster a kubeconfig names, where the bench makes its own namespace, installs the
 * Task CRD if it is missing, runs the fake task manager through kubectl, and removes all of it.
 * Either way it offers the two things the workload needs besides kubectl: writing a Task's status
 * as the task manager would, and pausing the task manager's own reconciling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubectlError } from '../../src/kubectl/errors.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { createNodeHttpClient, type HttpClient } from '../../src/sandbox/controller/http-client.ts';
import { HttpStatusWriter } from '../../src/sandbox/controller/http.ts';
import { KubectlStatusWriter } from '../../src/sandbox/controller/kubectl.ts';
import { startFakeController, type FakeController } from '../../src/sandbox/controller/index.ts';
import type { StatusWriter } from '../../src/sandbox/controller/controller.ts';
import type { HostAnswer, HostRequest } from '../sandbox-host.ts';

/** A `status` body as the task manager writes it (the controller's own type, whatever module defines it). */
export type StatusBody = Parameters<StatusWriter['writeStatus']>[1];
import { epochMs } from './protocol.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CRD_PATH = path.join(ROOT, 'manifests', 'task-crd.yaml');
const CRD_NAME = 'tasks.aliecs.alice.cern';
export const TASK_RESOURCE = 'tasks.v1alpha1.aliecs.alice.cern';

export interface StatusWrite {
  readonly sentAt: number;
  readonly ackAt: number;
  readonly ok: boolean;
  readonly message?: string;
}

export interface BenchCluster {
  readonly mode: 'sandbox' | 'kubeconfig';
  readonly description: string;
  readonly kubeconfig: string;
  readonly context?: string;
  readonly namespace: string;
  /** The orchestrator's own runner (not counted in any strategy). */
  readonly kubectl: Kubectl;
  /** Environment of every kubectl the bench starts (a private discovery cache). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * False when a task manager other than the bench's follows Tasks there (it would undo injected
   * changes): the hold window then injects none.
   */
  readonly canInject: boolean;
  /** Writes a Task's status as the task manager does (status subresource, merge patch). */
  writeStatus(name: string, status: StatusBody): Promise<StatusWrite>;
  /** The fake task manager's delay; a long one keeps it from undoing injected changes. */
  setControllerDelay(ms: number): Promise<void>;
  /** Removes what the bench made; says what was done. */
  close(): Promise<string>;
}

export interface ClusterOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly kubectl?: string;
  readonly log: (line: string) => void;
}

export async function openCluster(options: ClusterOptions): Promise<BenchCluster> {
  const cacheDir = await mkdtemp(path.join(tmpdir(), 'kubectl-task-bench-cache-'));
  const env = { ...process.env, KUBECACHEDIR: cacheDir };
  try {
    return options.kubeconfig === undefined ? await openSandbox(options, env, cacheDir) : await openKubeconfig(options, options.kubeconfig, env, cacheDir);
  } catch (error) {
    await rm(cacheDir, { recursive: true, force: true });
    throw error;
  }
}

function timed(writer: StatusWriter, namespace: string): (name: string, status: StatusBody) => Promise<StatusWrite> {
  return async (name, status) => {
    const sentAt = epochMs();
    const outcome = await writer
      .writeStatus({ namespace, name }, status)
      .catch((error: unknown) => ({ kind: 'failed' as const, message: error instanceof Error ? error.message : String(error) }));
    const ackAt = epochMs();
    return outcome.kind === 'written'
      ? { sentAt, ackAt, ok: true }
      : { sentAt, ackAt, ok: false, message: outcome.kind === 'failed' ? outcome.message : 'gone' };
  };
}

/** The sandbox host process: request → one answer. */
class HostChannel {
  private waiting: ((answer: HostAnswer) => void) | undefined;
  readonly exited: Promise<void>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: unknown) => {
      const waiter = this.waiting;
      this.waiting = undefined;
      if (typeof message === 'object' && message !== null && 'type' in message) waiter?.(message as HostAnswer);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  next(): Promise<HostAnswer> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      void this.exited.then(() => reject(new Error('bench: the sandbox process ended')));
    });
  }

  async request(request: HostRequest): Promise<HostAnswer> {
    const answer = this.next();
    this.child.send(request);
    return answer;
  }
}

async function openSandbox(options: ClusterOptions, env: Record<string, string | undefined>, cacheDir: string): Promise<BenchCluster> {
  const namespace = 'bench';
  // node itself (not npx): its pid is the process that must end with the run.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'sandbox-host.ts'), CRD_PATH, namespace], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const host = new HostChannel(child);
  const ready = await host.next();
  if (ready.type !== 'ready') {
    child.kill('SIGTERM');
    throw new Error(`bench: the sandbox did not start: ${ready.type === 'error' ? ready.message : ready.type}`);
  }
  options.log(`sandbox: ${ready.url} (pid ${String(child.pid)}), fake task manager delay 0 ms`);
  const client: HttpClient = createNodeHttpClient({ url: ready.url, token: ready.token, ...(ready.caPem === undefined ? {} : { caPem: ready.caPem }) });
  const kubectl = new Kubectl({
    kubeconfig: ready.kubeconfigPath,
    namespace,
    env,
    timeoutMs: 120_000,
    ...(options.kubectl === undefined ? {} : { binary: options.kubectl }),
  });
  return {
    mode: 'sandbox',
    description: `embedded sandbox API server (TLS, ${ready.url}) in its own process, fake task manager with delay 0 ms`,
    kubeconfig: ready.kubeconfigPath,
    namespace,
    kubectl,
    env,
    canInject: true,
    writeStatus: timed(new HttpStatusWriter(client), namespace),
    async setControllerDelay(ms) {
      await host.request({ type: 'delay', ms });
    },
    async close() {
      client.close();
      if (child.exitCode === null && child.connected) {
        await host.request({ type: 'stop' }).catch(() => undefined);
      }
      const exited = await Promise.race([host.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (!exited) {
        child.kill('SIGKILL');
        await host.exited;
      }
      await rm(cacheDir, { recursive: true, force: true });
      return 'the embedded sandbox was stopped (it kept everything in memory; its kubeconfig was removed)';
    },
  };
}

async function exists(kubectl: Kubectl, args: readonly string[]): Promise<boolean> {
  try {
    await kubectl.run(args, { namespace: null, retry: false });
    return true;
  } catch (error) {
    if (error instanceof KubectlError && error.reason === 'NotFound') return false;
    throw error;
  }
}

async function openKubeconfig(options: ClusterOptions, kubeconfig: string, env: Record<string, string | undefined>, cacheDir: string): Promise<BenchCluster> {
  const base = new Kubectl({
    kubeconfig,
    env,
    timeoutMs: 120_000,
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.kubectl === undefined ? {} : { binary: options.kubectl }),
  });
  await base.ensureVersion();
  const undo: (() => Promise<string>)[] = [];
  const cleanup = async (): Promise<string> => {
    const said: string[] = [];
    for (const step of undo.reverse()) {
      try {
        said.push(await step());
      } catch (error) {
        said.push(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await rm(cacheDir, { recursive: true, force: true });
    return said.join('; ');
  };
  try {
    if (!(await exists(base, ['get', 'crd', CRD_NAME, '-o', 'name']))) {
      await base.run(['apply', '-f', CRD_PATH], { namespace: null });
      options.log(`cluster: installed the Task CRD (${CRD_NAME}); it is removed at the end`);
      undo.push(async () => {
        await base.run(['delete', 'crd', CRD_NAME, '--ignore-not-found', '--wait=true'], { namespace: null });
        return `the Task CRD the bench installed was deleted`;
      });
    }
    let namespace = options.namespace;
    if (namespace === undefined) {
      namespace = `kubectl-task-bench-${randomBytes(3).toString('hex')}`;
      await base.run(['create', 'namespace', namespace], { namespace: null });
      const ns = namespace;
      undo.push(async () => {
        try {
          await base.run(['delete', 'namespace', ns, '--wait=true', '--timeout=120s'], { namespace: null });
        } catch (error) {
          if (!(error instanceof KubectlError)) throw error; // a timeout is looked at below
        }
        if (!(await exists(base, ['get', 'namespace', ns, '-o', 'name']))) return `namespace ${ns} deleted`;
        const left = (
          await base.run(['get', `${TASK_RESOURCE},configmaps`, '-n', ns, '-l', 'app.kubernetes.io/managed-by=kubectl-task', '-o', 'name'], { namespace: null })
        ).stdout.trim();
        if (left !== '')
          await base.run(['delete', `${TASK_RESOURCE},configmaps`, '-n', ns, '-l', 'app.kubernetes.io/managed-by=kubectl-task', '--wait=true'], {
            namespace: null,
          });
        return `namespace ${ns} could not be finalised within 120 s (still terminating); the bench's objects in it were deleted`;
      });
    } else {
      const ns = namespace;
      undo.push(async () => `namespace ${ns} kept (given with --namespace); the bench deleted only its own objects in it`);
    }
    const kubectl = base.with({ namespace });
    // Wait until the Task type is served (a CRD just installed takes a moment).
    for (let attempt = 0; ; attempt++) {
      try {
        await kubectl.run(['get', TASK_RESOURCE, '-o', 'name'], { retry: false });
        break;
      } catch (error) {
        if (attempt >= 60) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    // Is a task manager following Tasks here already (the operator, or a sandbox's own)? A Task
    // that gets a status without ours says so; two managers would fight over injected changes.
    await kubectl.run(['apply', '-f', '-'], { stdin: probeYaml(namespace) });
    undo.push(async () => {
      await kubectl.run(['delete', TASK_RESOURCE, PROBE_TASK, '--ignore-not-found', '--wait=true']);
      return `probe Task deleted`;
    });
    let other = false;
    for (let i = 0; i < 8 && !other; i++) {
      await new Promise((r) => setTimeout(r, 500));
      other = (await kubectl.run(['get', TASK_RESOURCE, PROBE_TASK, '-o', 'jsonpath={.status.state}'])).stdout.trim() !== '';
    }
    let controller: FakeController | undefined;
    if (other) {
      options.log(
        `cluster: namespace ${namespace}; a task manager already follows Tasks here: the bench uses it, and injects no status changes in the hold window (that manager would undo them). For the whole workload, stop it (e.g. \`kubectl-task sandbox --no-controller\`).`,
      );
    } else {
      const started = await startFakeController({ transport: { kind: 'kubectl', kubectl }, namespace, delayMs: 0 });
      controller = started;
      undo.push(async () => {
        await started.stop();
        return `fake task manager stopped after ${started.writes} status writes`;
      });
      options.log(`cluster: namespace ${namespace}; fake task manager running through kubectl (delay 0 ms)`);
    }
    const server = (
      await base.run(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'], { namespace: null }).catch(() => undefined)
    )?.stdout.trim();
    return {
      mode: 'kubeconfig',
      description: `the cluster of ${kubeconfig}${options.context === undefined ? '' : ` (context ${options.context})`}${server === undefined || server === '' ? '' : ` at ${server}`}, namespace ${namespace}, ${controller === undefined ? "the cluster's own task manager (no status changes injected)" : 'fake task manager through kubectl (delay 0 ms)'}`,
      kubeconfig,
      ...(options.context === undefined ? {} : { context: options.context }),
      namespace,
      kubectl,
      env,
      canInject: controller !== undefined,
      writeStatus: timed(new KubectlStatusWriter(kubectl), namespace),
      async setControllerDelay(ms) {
        controller?.setDelay(ms);
      },
      close: cleanup,
    };
  } catch (error) {
    options.log(`cluster: setup failed, cleaning up: ${await cleanup()}`);
    throw error;
  }
}

export const PROBE_TASK = 'bench-probe';

/** A Task of the bench's own, for the baseline measurements (and to see who writes its status). */
export function probeYaml(namespace: string): string {
  return `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: ${PROBE_TASK}
  namespace: ${namespace}
  labels:
    kubectl-task/bench: probe
spec:
  state: standby
  control:
    mode: direct
    port: 31000
  pod:
    containers:
      - name: main
        image: busybox:1.36
`;
}

/** The whole text of the workload's template. */
export function readTemplate(): Promise<string> {
  return readFile(path.join(ROOT, 'templates', 'example.yaml'), 'utf8');
}
