/**
 * npm run stress [-- --tasks 100] [--duration 60s] [--seed 1]
 *
 * Drives tasks through the bridge (`kubectl-task serve` in a child process, spawnBridge) against
 * an embedded sandbox on 127.0.0.1 with its fake task manager, for a bounded time: random
 * launches, transitions and kills (a seeded PRNG), under random faults from a plan the seed alone
 * decides (for a given duration): 429 and 503 bursts, latency spikes, watches closed, one 20 s
 * outage (connections refused), and Tasks deleted behind the bridge's back. Then it kills what is
 * left and checks three things, which must all be 0 (exit 1 otherwise):
 *
 *   lost         a status.state the sandbox's Task took (its store's history, heard through the
 *                store's own change events) that no status update of the bridge reported, in
 *                order; plus any gap in a task's seq. Not counted: what happened after the kill was
 *                sent, or after the bridge reported the task's end (nothing follows a terminal
 *                state), or to the Task of a launch that failed (TASK_FAILED, never TASK_STARTING:
 *                its apply may have landed before the outage cut kubectl off), or the last state of
 *                a Task deleted behind the bridge's back when the bridge never saw it (it may have
 *                lived only while the watch was down: level-triggered, nothing can report it).
 *                Likewise a state the Task left on its own for an end the bridge reported (running,
 *                then done 2 s later, inside a watch restart) is counted as coalesced, not lost:
 *                the end is what a level-triggered watcher guarantees.
 *   duplicates   an update seen twice (same taskId and seq), or the same (state, taskState) twice
 *                in a row.
 *   left behind  objects (Tasks, ConfigMaps) of a launched task still in the sandbox after the kills.
 *
 * The summary ends with `requests N, faults N, transitions N, lost N, duplicates N, left behind N`:
 * requests sent to the bridge, fault actions executed, and the status.state changes the sandbox
 * made that the check covered.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnBridge, type BridgeClient } from '../src/bridge/client.ts';
import type { StatusMessage } from '../src/bridge/messages.ts';
import type { JsonObject } from '../src/json.ts';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import type { StoreEvent } from '../src/sandbox/storage/store.ts';
import { loadManifest, PROJECT_CRD } from '../test/helpers/sandbox.ts';

const NS = 'stress';
const OUTAGE_MS = 20_000;
const LABEL_TASK_ID = 'kubectl-task/task-id';
/** Where faults aim: the bridge's requests in the namespace (not the task manager's status writes). */
const TARGET = /^\/(apis\/aliecs\.alice\.cern\/v1alpha1\/namespaces\/stress\/tasks(\/[^/]+)?|api\/v1\/namespaces\/stress\/configmaps(\/[^/]+)?)$/;

const TEMPLATE = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: \${TASK_NAME}
  annotations:
    kubectl-task.io/fake-error-on: "\${FAIL_ON:-never}"
    kubectl-task.io/fake-done-after-ms: "\${DONE_AFTER_MS:-never}"
spec:
  state: standby
  control:
    mode: direct
    port: 31000
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: \${TASK_NAME}-config
data:
  task: \${TASK_NAME}
`;

// ---------------------------------------------------------------------------------------------
// Options, PRNG, fault plan

interface Options {
  readonly tasks: number;
  readonly durationMs: number;
  readonly seed: number;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: { tasks: { type: 'string' }, duration: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write('usage: npm run stress [-- --tasks 100] [--duration 60s] [--seed 1]\n');
    process.exit(0);
  }
  const tasks = Number(values.tasks ?? '100');
  const seed = Number(values.seed ?? '1');
  const durationMs = parseDuration(values.duration ?? '60s');
  if (!Number.isInteger(tasks) || tasks < 1 || tasks > 5000) throw new Error(`--tasks must be an integer from 1 to 5000, got ${values.tasks}`);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${values.seed}`);
  if (durationMs < 10_000 || durationMs > 3_600_000) throw new Error(`--duration must be from 10s to 1h, got ${values.duration}`);
  return { tasks, durationMs, seed };
}

function parseDuration(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (match === null) throw new Error(`invalid --duration "${raw}" (use e.g. 30s, 2m)`);
  return Math.round(Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h']);
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Fault =
  | { readonly at: number; readonly kind: '429'; readonly count: number; readonly method: string; readonly retryAfter: number }
  | { readonly at: number; readonly kind: '503'; readonly count: number; readonly method: string }
  | { readonly at: number; readonly kind: 'latency'; readonly ms: number; readonly forMs: number }
  | { readonly at: number; readonly kind: 'close-watches' }
  | { readonly at: number; readonly kind: 'outage'; readonly ms: number }
  | { readonly at: number; readonly kind: 'delete'; readonly pick: number };

/** The fault plan: a function of the seed and the duration only. */
export function faultPlan(seed: number, durationMs: number): Fault[] {
  const random = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const choose = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const at = (): number => int(2_000, Math.max(2_000, durationMs - 2_000));
  const per = (everyMs: number): number => Math.max(1, Math.round(durationMs / everyMs));
  const methods = ['PATCH', 'POST', 'GET', 'DELETE'];
  const plan: Fault[] = [{ at: Math.max(2_000, Math.round(durationMs * 0.35)), kind: 'outage', ms: OUTAGE_MS }];
  for (let i = 0; i < per(6_000); i++) plan.push({ at: at(), kind: '429', count: int(1, 6), method: choose(methods), retryAfter: choose([0, 1]) });
  for (let i = 0; i < per(6_000); i++) plan.push({ at: at(), kind: '503', count: int(1, 4), method: choose(methods) });
  for (let i = 0; i < per(10_000); i++) plan.push({ at: at(), kind: 'latency', ms: int(200, 3_000), forMs: int(500, 4_000) });
  for (let i = 0; i < per(4_000); i++) plan.push({ at: at(), kind: 'close-watches' });
  for (let i = 0; i < per(30_000); i++) plan.push({ at: at(), kind: 'delete', pick: random() });
  return plan.sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind));
}

function describePlan(plan: readonly Fault[]): string {
  const counts = new Map<string, number>();
  for (const f of plan) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  const digest = createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 12);
  const parts = ['429', '503', 'latency', 'close-watches', 'outage', 'delete'].map((k) => `${k}×${counts.get(k) ?? 0}`);
  return `${plan.length} faults (${parts.join(', ')}), digest ${digest}`;
}

// ---------------------------------------------------------------------------------------------
// The run

interface TaskRecord {
  readonly id: string;
  phase: 'launching' | 'live' | 'killing' | 'killed';
  busy: boolean;
  /** Deleted behind the bridge's back: no request for it until the bridge reports its end. */
  held: boolean;
  taskState: string | undefined;
  /** Terminal state reported by the bridge, and when. */
  ended: { readonly state: string; readonly at: number } | undefined;
  /** The store's resourceVersion when the (last) kill was sent. */
  killRv: number | undefined;
}

interface Seen {
  readonly seq: number;
  readonly state: string;
  readonly taskState: string | undefined;
  readonly at: number;
}

interface History {
  readonly state: string;
  readonly rv: number;
  readonly at: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const { tasks: target, durationMs, seed } = options;
  // Never a hang: whatever happens, the run ends (exit 2) a while after its duration.
  setTimeout(() => {
    process.stderr.write('stress: did not finish within its duration + 5 min; giving up\n');
    process.exit(2);
  }, durationMs + 300_000).unref();
  const plan = faultPlan(seed, durationMs);
  const random = prng(seed ^ 0x5eed);
  const dir = await mkdtemp(join(tmpdir(), 'kubectl-task-stress-'));
  const bridgeLog = join(dir, 'serve.log');
  const out = (line: string): void => void process.stdout.write(`${line}\n`);

  const sandbox: Sandbox = await startSandbox({
    host: '127.0.0.1',
    tls: false,
    namespace: NS,
    kubeconfigPath: join(dir, 'kubeconfig'),
    watchHistory: 100_000,
    controller: { delayMs: 50 },
  });
  // The project's Task CRD through the tests' loader, so the script and the tests install it alike.
  for (const doc of await loadManifest(PROJECT_CRD)) sandbox.store.put(doc);

  // The sandbox store's own change events: every status.state each Task took, in order. (A
  // private member of the store view: this script is a test of the sandbox's user, not a user.)
  const history = new Map<string, History[]>();
  const store = (sandbox.store as unknown as { state: { store: { subscribe(listener: (event: StoreEvent) => void): () => void } } }).state.store;
  const unsubscribe = store.subscribe((event) => {
    if (event.key !== 'aliecs.alice.cern/tasks' || event.namespace !== NS || event.type === 'DELETED') return;
    const status = event.stored.obj['status'];
    const state = typeof status === 'object' && status !== null && !Array.isArray(status) ? status['state'] : undefined;
    if (typeof state !== 'string') return;
    const list = history.get(event.name) ?? [];
    if (list.at(-1)?.state !== state) list.push({ state, rv: event.resourceVersion, at: Date.now() });
    history.set(event.name, list);
  });

  out(`stress: seed ${seed}, ${target} tasks, ${durationMs / 1000} s, sandbox ${sandbox.url} (loopback), serve log ${bridgeLog}`);
  out(`fault plan: ${describePlan(plan)}`);

  const log = createWriteStream(bridgeLog);
  const bridge: BridgeClient = spawnBridge({
    args: ['--kubeconfig', sandbox.kubeconfigPath, '--context', 'admin', '-n', NS, '--unreachable-grace', '10s'],
    env: { KUBECONFIG: sandbox.kubeconfigPath, KUBECACHEDIR: join(dir, 'cache') },
    stderr: 'pipe',
  });
  bridge.child?.stderr?.pipe(log);
  const updates = new Map<string, Seen[]>();
  const records = new Map<string, TaskRecord>();
  bridge.onStatus((s: StatusMessage) => {
    const list = updates.get(s.taskId) ?? [];
    list.push({ seq: s.seq, state: s.state, taskState: s.taskState, at: Date.now() });
    updates.set(s.taskId, list);
    const record = records.get(s.taskId);
    if (record === undefined) return;
    if (s.taskState !== undefined) record.taskState = s.taskState;
    if (['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST'].includes(s.state)) record.ended ??= { state: s.state, at: Date.now() };
  });
  await bridge.ready;

  // Requests, counted by type and outcome.
  let requests = 0;
  const outcomes = new Map<string, number>();
  const count = (key: string): void => void outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  /** Requests not answered yet, with what and since when: none may be left at the end. */
  const pending = new Map<number, { what: string; since: number }>();
  let slowest = { what: '-', ms: 0 };
  const send = async <T>(type: string, id: string, call: () => Promise<T>): Promise<{ ok: true; result: T } | { ok: false; reason: string }> => {
    requests += 1;
    const n = requests;
    pending.set(n, { what: `${type} ${id}`, since: Date.now() });
    try {
      const result = await call();
      count(`${type} ok`);
      return { ok: true, result };
    } catch (error) {
      const reason = (error as { reason?: string }).reason ?? 'Error';
      count(`${type} ${reason}`);
      return { ok: false, reason };
    } finally {
      const age = Date.now() - (pending.get(n)?.since ?? Date.now());
      if (age > slowest.ms) slowest = { what: `${type} ${id}`, ms: age };
      pending.delete(n);
    }
  };

  // The fault plan, on its own timer.
  const started = Date.now();
  const deleted: TaskRecord[] = [];
  let faultsDone = 0;
  const faultTimers: NodeJS.Timeout[] = [];
  const running: Promise<unknown>[] = [];
  for (const fault of plan) {
    faultTimers.push(
      setTimeout(() => {
        faultsDone += 1;
        const f = sandbox.faults;
        switch (fault.kind) {
          case '429':
            f.failNext({ count: fault.count, status: 429, method: fault.method, path: TARGET, retryAfterSeconds: fault.retryAfter });
            return;
          case '503':
            f.failNext({ count: fault.count, status: 503, method: fault.method, path: TARGET });
            return;
          case 'latency':
            running.push(f.latencySpike(fault.ms, fault.forMs, { path: TARGET }));
            return;
          case 'close-watches':
            f.closeWatches();
            return;
          case 'outage':
            running.push(f.refuseConnections(fault.ms));
            return;
          case 'delete': {
            // A launched task (maybe in a transition), picked by the plan's number among them
            // (which one depends on timing); one the workload is not killing.
            const live = [...records.values()].filter(
              (r) => r.phase === 'live' && !r.held && r.ended === undefined && sandbox.store.get('tasks', NS, r.id) !== undefined,
            );
            const victim = live.sort((a, b) => a.id.localeCompare(b.id))[Math.floor(fault.pick * live.length)];
            if (victim === undefined) return;
            sandbox.store.delete('tasks', NS, victim.id);
            // Left alone until the bridge tells (TASK_LOST), so the workload's own kill does not come first.
            victim.held = true;
            const deletedAt = Date.now();
            deleted.push(victim);
            running.push(
              (async () => {
                while (victim.ended === undefined && Date.now() - deletedAt < 60_000) await sleep(100);
                victim.held = false;
              })(),
            );
            return;
          }
        }
      }, fault.at),
    );
  }

  // The workload.
  let launched = 0;
  let inFlight = 0;
  const maxInFlight = Math.min(200, Math.max(10, target));
  const launch = async (record: TaskRecord): Promise<void> => {
    const env: Record<string, string> = { TASK_NAME: record.id };
    const r = random();
    if (r < 0.05) env['FAIL_ON'] = 'running';
    else if (r < 0.1) env['DONE_AFTER_MS'] = '2000';
    await send('launch', record.id, () => bridge.launch({ taskId: record.id, manifest: TEMPLATE, env }));
    // Launched, or failed (TASK_FAILED, maybe with objects applied): either way it is killed later.
    record.phase = 'live';
  };
  const transition = async (record: TaskRecord): Promise<void> => {
    const from = record.taskState;
    const event = from === 'standby' ? 'CONFIGURE' : from === 'configured' ? (random() < 0.7 ? 'START' : 'RESET') : from === 'running' ? 'STOP' : undefined;
    if (event === undefined) return;
    await send('transition', record.id, () => bridge.transition({ taskId: record.id, event, timeoutMs: 30_000 }));
  };
  const kill = async (record: TaskRecord): Promise<void> => {
    record.phase = 'killing';
    record.killRv = sandbox.store.resourceVersion;
    const outcome = await send('kill', record.id, () => bridge.kill(record.id));
    // UnknownTask: the bridge holds nothing of it (a launch that applied nothing); the check of
    // what is left behind says whether that is true. Any other failure: killed again later.
    record.phase = outcome.ok || outcome.reason === 'UnknownTask' ? 'killed' : 'live';
  };
  const start = (record: TaskRecord, op: (r: TaskRecord) => Promise<void>): void => {
    record.busy = true;
    inFlight += 1;
    const done = op(record).finally(() => {
      record.busy = false;
      inFlight -= 1;
    });
    running.push(done);
  };
  /** One element of a non-empty list, drawn with `random`. */
  const pick = (list: readonly TaskRecord[]): TaskRecord => {
    const record = list[Math.floor(random() * list.length)];
    if (record === undefined) throw new Error('stress: pick from an empty list');
    return record;
  };
  const deadline = started + durationMs;
  while (Date.now() < deadline) {
    while (inFlight < maxInFlight) {
      const active = [...records.values()].filter((r) => r.phase === 'launching' || r.phase === 'live' || r.phase === 'killing');
      const idle = active.filter((r) => r.phase === 'live' && !r.busy && !r.held);
      const ended = idle.filter((r) => r.ended !== undefined);
      const going = idle.filter((r) => r.ended === undefined);
      const r = random();
      if (active.length < target && (r < 0.5 || idle.length === 0)) {
        const record: TaskRecord = {
          id: `s${++launched}`,
          phase: 'launching',
          busy: false,
          held: false,
          taskState: undefined,
          ended: undefined,
          killRv: undefined,
        };
        records.set(record.id, record);
        start(record, launch);
      } else if (ended.length > 0 && r < 0.6) {
        start(pick(ended), kill);
      } else if (going.length > 0) {
        const record = pick(going);
        start(record, random() < 0.9 ? transition : kill);
      } else break;
    }
    await sleep(20);
  }
  for (const t of faultTimers) clearTimeout(t);
  sandbox.faults.reset();

  // Let what is in flight finish (the outage and spikes included), then kill everything left.
  // Every request has its own bound (transitions 30 s, launches and kills 60 s after their
  // kubectl calls): one still unanswered after 3 minutes is a hang.
  const settled = await Promise.race([Promise.allSettled(running).then(() => true), sleep(180_000).then(() => false)]);
  const hung = [...pending.values()].map((p) => `${p.what} (${Math.round((Date.now() - p.since) / 1000)} s)`);
  if (!settled) out(`unanswered after 3 minutes: ${hung.length}: ${hung.slice(0, 10).join(', ')}`);
  for (let round = 0; round < 3; round++) {
    const left = [...records.values()].filter((r) => r.phase !== 'killed');
    if (left.length === 0) break;
    await Promise.all(left.map((record) => kill(record)));
    if (round < 2) await sleep(2_000);
  }
  await sleep(1_000);
  await bridge.close({ timeoutMs: 30_000 });
  unsubscribe();
  log.end();

  // The checks.
  let lost = 0;
  let duplicates = 0;
  let checked = 0;
  let afterEnd = 0;
  let failedLaunchChanges = 0;
  let unobservable = 0;
  let coalesced = 0;
  const lostExamples: string[] = [];
  for (const record of records.values()) {
    const seen = updates.get(record.id) ?? [];
    const seqs = new Set<number>();
    seen.forEach((u, i) => {
      if (seqs.has(u.seq)) duplicates += 1;
      seqs.add(u.seq);
      const previous = seen[i - 1];
      if (previous !== undefined && previous.state === u.state && previous.taskState === u.taskState) duplicates += 1;
    });
    const maxSeq = Math.max(0, ...seqs);
    lost += maxSeq - seqs.size; // gaps
    const reported = seen.flatMap((u) => (u.taskState === undefined ? [] : [u.taskState]));
    // A launch that failed (no TASK_STARTING; TASK_FAILED instead) may still have applied the
    // Task, which the task manager then moved: the executor was told the launch failed, and
    // nothing of that Task is reported (it is killed like any other).
    if (!seen.some((u) => u.state === 'TASK_STARTING')) {
      failedLaunchChanges += history.get(record.id)?.length ?? 0;
      continue;
    }
    let j = 0;
    const states = history.get(record.id) ?? [];
    for (const [i, h] of states.entries()) {
      if (record.killRv !== undefined && h.rv > record.killRv) continue;
      // The last state of a Task deleted behind the bridge's back may have lived only while the
      // bridge's watch was down (cut, or the outage): gone before it could be listed again.
      if (deleted.includes(record) && i === states.length - 1 && !reported.slice(j).includes(h.state)) {
        unobservable += 1;
        continue;
      }
      if (record.ended !== undefined && h.at > record.ended.at) {
        afterEnd += 1;
        continue;
      }
      const k = reported.indexOf(h.state, j);
      // A state the Task left on its own for an end the bridge did report (running, then done
      // 2 s later) may have fallen in a watch restart: the next list shows the end only.
      const next = states[i + 1];
      if (k < 0 && next !== undefined && (next.state === 'done' || next.state === 'error') && reported.slice(j).includes(next.state)) {
        coalesced += 1;
        continue;
      }
      checked += 1;
      if (k < 0) {
        lost += 1;
        if (lostExamples.length < 5)
          lostExamples.push(`${record.id}: status.state ${h.state} (rv ${h.rv}) never reported; reported ${JSON.stringify(reported)}`);
      } else j = k + 1;
    }
  }
  const ids = new Set(records.keys());
  const leftObjects = [...sandbox.store.list('tasks', NS), ...sandbox.store.list('configmaps', NS)].filter((o) => {
    const labels = (o['metadata'] as JsonObject)['labels'] as Record<string, string> | undefined;
    return labels?.[LABEL_TASK_ID] !== undefined && ids.has(labels[LABEL_TASK_ID]);
  });
  const leftBehind = leftObjects.length;
  await sandbox.close();

  const byType = (type: string): string => {
    const parts = [...outcomes].filter(([k]) => k.startsWith(`${type} `)).sort((a, b) => b[1] - a[1]);
    const total = parts.reduce((n, [, v]) => n + v, 0);
    return `${type} ${total} (${parts.map(([k, v]) => `${k.slice(type.length + 1)} ${v}`).join(', ')})`;
  };
  const updateCount = [...updates.values()].reduce((n, l) => n + l.length, 0);
  const states = new Map<string, number>();
  for (const list of updates.values()) for (const u of list) states.set(u.state, (states.get(u.state) ?? 0) + 1);
  out(`faults executed: ${faultsDone} of ${plan.length}; responses failed by them: ${sandbox.faults.injectedFailures}`);
  out(`requests: ${['launch', 'transition', 'kill'].map(byType).join('; ')}`);
  out(
    `updates: ${updateCount} (${[...states]
      .sort((a, b) => b[1] - a[1])
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')})`,
  );
  out(
    `sandbox: ${launched} tasks, ${checked} status changes checked; not checked: ${afterEnd} after the task's reported end, ${failedLaunchChanges} of Tasks whose launch failed, ${unobservable} last of a Task deleted behind the bridge's back and not seen; ${coalesced} left for a reported end (done, error) before the watch saw them`,
  );
  out(
    `deleted behind the bridge's back: ${deleted.map((r) => `${r.id} → ${r.ended?.state ?? 'no end reported'}`).join(', ') || 'none (no settled task at the time)'}`,
  );
  for (const line of lostExamples) out(`lost: ${line}`);
  for (const o of leftObjects.slice(0, 5)) out(`left behind: ${String(o['kind'])} ${String((o['metadata'] as JsonObject)['name'])}`);
  out(`took ${((Date.now() - started) / 1000).toFixed(1)} s; slowest answer: ${slowest.what}, ${(slowest.ms / 1000).toFixed(1)} s`);
  out(`requests ${requests}, faults ${faultsDone}, transitions ${checked}, lost ${lost}, duplicates ${duplicates}, left behind ${leftBehind}`);
  const ok = lost + duplicates + leftBehind === 0 && hung.length === 0;
  if (ok) await rm(dir, { recursive: true, force: true });
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`stress: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
