/**
 * The fault matrix's harness: one sandbox (with the fake task manager) and the same scenario
 * driven through the three ways kubectl-task runs tasks, each in its own namespace so faults can
 * be aimed at one of them by path:
 *   - `task`:   one KubectlTask per task (its own kubectl watch);
 *   - `fleet`:  a TaskFleet in this process (one informer, batched calls);
 *   - `bridge`: a `kubectl-task serve` child process, driven through BridgeClient.
 * Every kubectl goes through test/faults/fixtures/kubectl-sigkill, which is the real kubectl
 * unless a test marks a call to be killed with SIGKILL.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BridgeClient, spawnBridge } from '../../src/bridge/client.ts';
import { TaskFleet, type FleetOptions } from '../../src/fleet/fleet.ts';
import { Kubectl, type KubectlOptions } from '../../src/kubectl/runner.ts';
import type { JsonObject } from '../../src/json.ts';
import type { FaultTimelineEntry } from '../../src/sandbox/http/faults.ts';
import { KubectlTask, type KubectlTaskOptions } from '../../src/task/kubectl-task.ts';
import { isTerminal, type ExecutorState } from '../../src/task/states.ts';
import { FLEET_TEMPLATE } from '../helpers/fleet.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';

export const KILL_WRAPPER = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kubectl-sigkill');
export const REAL_KUBECTL = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();

export type Kind = 'task' | 'fleet' | 'bridge';
export const KINDS: readonly Kind[] = ['task', 'fleet', 'bridge'];

/** A status update as any of the three reports it. */
export interface Update {
  readonly state: ExecutorState;
  readonly taskState?: string | undefined;
  readonly reason: string;
  readonly message?: string | undefined;
  readonly seq?: number;
}

export interface Driver {
  readonly kind: Kind;
  readonly namespace: string;
  /** Resolves with the executor state of the first status (TASK_RUNNING). */
  launch(name: string, env?: Record<string, string>): Promise<string>;
  /** Resolves with the status.state reached. */
  transition(name: string, event: string, args?: Record<string, string>): Promise<string>;
  /** Resolves with the terminal state. */
  kill(name: string): Promise<string>;
  updates(name: string): readonly Update[];
  close(): Promise<void>;
}

export interface FaultCluster {
  readonly test: TestSandbox;
  readonly kubeconfig: string;
  /** kubectl's environment: KUBECONFIG, a private cache, and the kill wrapper's settings. */
  readonly env: Record<string, string>;
  /** An admin runner through the real kubectl (the "someone else" of the faults). */
  readonly admin: Kubectl;
  readonly killDir: string;
  /** Marks the next call whose argv holds every one of `words` to be killed `afterSeconds` in. */
  killNext(name: string, words: readonly string[], afterSeconds: number): Promise<void>;
  /** The kill rules claimed so far (their names). */
  killed(): Promise<string[]>;
  task(namespace: string, name: string): JsonObject | undefined;
  /** Writes through the sandbox's store, as another client would (resourceVersion bumps, watches hear it). */
  editTask(namespace: string, name: string, edit: (task: JsonObject) => void): void;
  /** Fault-timeline entries of one Task's object path. */
  requestsOf(namespace: string, name: string, method?: string): FaultTimelineEntry[];
  close(): Promise<void>;
}

export async function startFaultCluster(namespaces: readonly string[]): Promise<FaultCluster> {
  const test = await startTestSandbox({ namespace: namespaces[0] ?? 'faults', tls: false, crd: 'project', controller: { delayMs: 0 } });
  const { sandbox } = test;
  for (const name of namespaces) sandbox.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const killDir = await mkdtemp(join(tmpdir(), 'kubectl-task-kill-'));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(test.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, { KUBECTL_REAL: REAL_KUBECTL, KUBECTL_KILL_DIR: killDir });
  const admin = new Kubectl({ kubeconfig: test.kubeconfig, context: 'admin', env, timeoutMs: 20_000 });
  const get = (namespace: string, name: string): JsonObject | undefined => sandbox.store.get('tasks', namespace, name);
  return {
    test,
    kubeconfig: test.kubeconfig,
    env,
    admin,
    killDir,
    async killNext(name, words, afterSeconds) {
      await writeFile(join(killDir, `${name}.rule`), `${[...words, `after ${afterSeconds}`].join('\n')}\n`);
    },
    async killed() {
      return (await readdir(killDir))
        .filter((f) => f.endsWith('.rule.claimed'))
        .map((f) => f.replace(/\.rule\.claimed$/, ''))
        .sort();
    },
    task: get,
    editTask(namespace, name, edit) {
      const object = get(namespace, name);
      if (object === undefined) throw new Error(`editTask: no Task ${namespace}/${name}`);
      edit(object);
      sandbox.store.put(object);
    },
    requestsOf(namespace, name, method) {
      const path = new RegExp(`/namespaces/${namespace}/tasks/${name}$`);
      return sandbox.faults.timeline.filter((e) => path.test(e.path) && (method === undefined || e.method === method));
    },
    async close() {
      await test.cleanup();
      await rm(killDir, { recursive: true, force: true });
    },
  };
}

/** A runner like the bridge's, through the kill wrapper. */
export function driverKubectl(cluster: FaultCluster, namespace: string, extra: Partial<KubectlOptions> = {}): Kubectl {
  return new Kubectl({ binary: KILL_WRAPPER, kubeconfig: cluster.kubeconfig, context: 'admin', namespace, env: cluster.env, timeoutMs: 30_000, ...extra });
}

export interface DriverOptions {
  /** TaskFleet / serve --unreachable-grace. */
  readonly unreachableGraceMs?: number;
  readonly kubectl?: Partial<KubectlOptions>;
  readonly task?: Partial<KubectlTaskOptions>;
  readonly fleet?: Partial<FleetOptions>;
}

export async function startDriver(kind: Kind, cluster: FaultCluster, namespace: string, options: DriverOptions = {}): Promise<Driver> {
  switch (kind) {
    case 'task':
      return taskDriver(cluster, namespace, options);
    case 'fleet':
      return fleetDriver(cluster, namespace, options);
    case 'bridge':
      return bridgeDriver(cluster, namespace, options);
  }
}

function recorder(): { push(name: string, update: Update): void; updates(name: string): readonly Update[] } {
  const byName = new Map<string, Update[]>();
  return {
    push(name, update) {
      const list = byName.get(name) ?? [];
      list.push(update);
      byName.set(name, list);
    },
    updates: (name) => byName.get(name) ?? [],
  };
}

function taskDriver(cluster: FaultCluster, namespace: string, options: DriverOptions): Driver {
  const kubectl = driverKubectl(cluster, namespace, options.kubectl);
  const tasks = new Map<string, KubectlTask>();
  const log = recorder();
  const get = (name: string): KubectlTask => {
    const task = tasks.get(name);
    if (task === undefined) throw new Error(`no task ${name}`);
    return task;
  };
  return {
    kind: 'task',
    namespace,
    async launch(name, env = {}) {
      const task = new KubectlTask({
        id: name,
        kubectl,
        template: { text: FLEET_TEMPLATE, file: 'fault.yaml' },
        env: { TASK_NAME: name, ...env },
        baseEnv: {},
        namespace: { explicit: namespace },
        transitionTimeoutMs: 30_000,
        killTimeoutMs: 30_000,
        ...(options.unreachableGraceMs === undefined ? {} : { unreachableGraceMs: options.unreachableGraceMs }),
        ...options.task,
        onStatus: (u) => log.push(name, { state: u.state, taskState: u.taskState, reason: u.reason, message: u.message }),
      });
      tasks.set(name, task);
      return task.launch();
    },
    async transition(name, event, args = {}) {
      const observed = await get(name).transition(event, args);
      return observed.state ?? observed.unknownState ?? '';
    },
    kill: (name) => get(name).kill(),
    updates: log.updates,
    async close() {
      await Promise.all([...tasks.values()].map((t) => t.detach()));
    },
  };
}

async function fleetDriver(cluster: FaultCluster, namespace: string, options: DriverOptions): Promise<Driver> {
  const fleet = new TaskFleet({
    kubectl: driverKubectl(cluster, namespace, options.kubectl),
    namespace,
    transitionTimeoutMs: 30_000,
    killTimeoutMs: 30_000,
    ...(options.unreachableGraceMs === undefined ? {} : { unreachableGraceMs: options.unreachableGraceMs }),
    ...options.fleet,
  });
  const log = recorder();
  fleet.onStatus((u) => log.push(u.taskId, { state: u.state, taskState: u.taskState, reason: u.reason, message: u.message, seq: u.seq }));
  await fleet.start();
  return {
    kind: 'fleet',
    namespace,
    async launch(name, env = {}) {
      const snapshot = await fleet.launch({ taskId: name, template: { text: FLEET_TEMPLATE }, env: { TASK_NAME: name, ...env } });
      return snapshot.state ?? '';
    },
    async transition(name, event, args = {}) {
      return (await fleet.transition({ taskId: name, event, arguments: args })).taskState;
    },
    kill: (name) => fleet.kill(name),
    updates: log.updates,
    close: () => fleet.close(),
  };
}

async function bridgeDriver(cluster: FaultCluster, namespace: string, options: DriverOptions): Promise<Driver> {
  const grace = options.unreachableGraceMs === undefined ? [] : ['--unreachable-grace', `${options.unreachableGraceMs}ms`];
  const stderr: string[] = [];
  const client: BridgeClient = spawnBridge({
    args: ['--kubeconfig', cluster.kubeconfig, '--context', 'admin', '-n', namespace, '--kubectl', KILL_WRAPPER, ...grace],
    env: cluster.env,
    stderr: 'pipe',
  });
  client.child?.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 200) stderr.shift();
  });
  const log = recorder();
  client.onStatus((u) => log.push(u.taskId, { state: u.state, taskState: u.taskState, reason: u.reason, message: u.message, seq: u.seq }));
  await client.ready;
  return {
    kind: 'bridge',
    namespace,
    async launch(name, env = {}) {
      return (await client.launch({ taskId: name, manifest: FLEET_TEMPLATE, env: { TASK_NAME: name, ...env } })).state ?? '';
    },
    async transition(name, event, args = {}) {
      return (await client.transition({ taskId: name, event, arguments: args, timeoutMs: 30_000 })).taskState;
    },
    async kill(name) {
      return (await client.kill(name)).state;
    },
    updates: log.updates,
    close: () => client.close({ timeoutMs: 10_000 }),
  };
}

/**
 * One task's updates, checked: seq 1, 2, 3… without a gap (fleet and bridge), never the same
 * (state, taskState) twice in a row, nothing after a terminal state. Returns them as a list of
 * status.state for TASK_RUNNING (`RUNNING:<reason>` when it has none) and the executor state
 * otherwise, without KubectlTask's TASK_STAGING, so the three can be compared.
 */
export function sequence(updates: readonly Update[], label: string): string[] {
  updates.forEach((u, i) => {
    if (u.seq !== undefined && u.seq !== i + 1) throw new Error(`${label}: update ${i} has seq ${u.seq}`);
    const previous = updates[i - 1];
    if (previous !== undefined && previous.state === u.state && previous.taskState === u.taskState) {
      throw new Error(`${label}: duplicate update ${u.state}/${u.taskState ?? '-'} (${u.reason}) at ${i}: ${JSON.stringify(updates)}`);
    }
    if (isTerminal(previous?.state)) throw new Error(`${label}: ${u.state} after the terminal ${previous?.state}`);
  });
  return updates.filter((u) => u.state !== 'TASK_STAGING').map((u) => (u.state === 'TASK_RUNNING' ? (u.taskState ?? `RUNNING:${u.reason}`) : u.state));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 50 ms; rejects after `timeoutMs` naming `what`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waitFor: ${what} not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** `promise`, or a rejection naming `what` after `ms`: no wait of the matrix is unbounded. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline: ${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error a promise rejects with (a deadline applies); fails when it resolves. */
export async function rejection(promise: Promise<unknown>, what: string, ms = 60_000): Promise<Error & { reason?: string }> {
  try {
    await within(ms, what, promise);
  } catch (error) {
    return error as Error & { reason?: string };
  }
  throw new Error(`${what}: expected a rejection, got a result`);
}
