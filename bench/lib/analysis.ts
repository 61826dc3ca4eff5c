/** From one run's raw record to the numbers the report shows. */
import type { RecordedUpdate } from './protocol.ts';
import { lcsLength, median, peakOverlap, quantile } from './stats.ts';
import type { InjectedChange, WorkloadRaw } from './workload.ts';

export interface RunMetrics {
  readonly strategy: string;
  readonly n: number;
  /** From the launch call to the last task's first TASK_RUNNING, s. */
  readonly launchToRunningS: number;
  readonly launchP50S: number;
  readonly transitions: { readonly count: number; readonly p50Ms: number; readonly p99Ms: number };
  /** Wall time of the whole batch of CONFIGUREs, s. */
  readonly configureBatchS: number;
  readonly killBatchS: number;
  readonly detection: { readonly count: number; readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  readonly updates: { readonly expected: number; readonly received: number; readonly lost: number; readonly duplicate: number };
  readonly failures: number;
  readonly firstFailure?: string;
  readonly processes: {
    readonly spawned: number;
    readonly peakConcurrent: number;
    readonly spawnedInWindow: number;
    readonly peakInWindow: number;
    /** kubectl processes alive for at least half the hold window. */
    readonly longLivedInWindow: number;
  };
  readonly cpu: {
    /** CPU-s of our process and its kubectl children during the window, per task and minute. */
    readonly perTaskMinute: number;
    readonly windowSeconds: number;
    readonly windowOurs: number;
    readonly windowKubectl: number;
    /** Whole run. */
    readonly totalOurs: number;
    readonly totalKubectl: number;
  };
  readonly memory: {
    readonly kubectlPeakRssMiB: number;
    readonly kubectlPeakAnonMiB: number;
    readonly kubectlPeakCountSampled: number;
    readonly kubectlLargestMiB: number;
    readonly kubectlWindowRssMiB: number;
    readonly oursPeakRssMiB: number;
  };
  readonly changesInjected: number;
  readonly errorsInjected: number;
  readonly restoreMissing: number;
  readonly informerRestarts?: number;
  readonly wallS: number;
  /** One `kubectl get` measured just before this run's transitions, ms. */
  readonly getWallMs: number;
}

const MiB = 1024 * 1024;

/** What one update says, as the expected sequences spell it. */
function keyOf(u: RecordedUpdate): string {
  if (u.state === 'TASK_RUNNING') return u.taskState ?? 'TASK_RUNNING';
  if (u.state === 'TASK_FAILED' && u.taskState === 'error') return 'error';
  return u.state;
}

function byTask<T extends { readonly taskId: string }>(items: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(item.taskId);
    if (list === undefined) map.set(item.taskId, [item]);
    else list.push(item);
  }
  return map;
}

export function analyse(raw: WorkloadRaw): RunMetrics {
  const { phases, final } = raw;
  const updates = [...final.updates].sort((a, b) => a.at - b.at);
  const updatesOf = byTask(updates);
  const changes = raw.changes.filter((c) => c.ok).sort((a, b) => a.at - b.at);
  const changesOf = byTask(changes);

  // Detection: each change injected in the window → the first update of that task saying it,
  // before the task's next change. (The puts back to running after the window come in a burst:
  // they count for lost and duplicate updates, not for detection at the window's rate.)
  const detections: number[] = [];
  for (const [taskId, list] of changesOf) {
    const seen = updatesOf.get(taskId) ?? [];
    list.forEach((change, i) => {
      if (change.phase !== 'window') return;
      const next = list[i + 1];
      const match = seen.find((u) => u.at >= change.at && (next === undefined || u.at < next.at) && keyOf(u) === change.state);
      if (match !== undefined) detections.push(match.at - change.at);
    });
  }

  // Lost and duplicate updates: what each task should have said from its first TASK_RUNNING on.
  const succeeded = (phase: keyof typeof phases): Set<string> => {
    const result = phases[phase];
    if (result === undefined) return new Set();
    const failed = new Set(result.failures.map((f) => f.taskId));
    return new Set(result.asked.filter((id) => !failed.has(id)));
  };
  const launched = succeeded('launch');
  const configured = succeeded('configure');
  const started = succeeded('start');
  const stopped = succeeded('stop');
  const reset = succeeded('reset');
  const killed = succeeded('kill');
  let expected = 0;
  let received = 0;
  let lost = 0;
  let duplicate = 0;
  for (const id of launched) {
    const want: string[] = ['standby'];
    if (configured.has(id)) want.push('configured');
    if (configured.has(id) && started.has(id)) {
      want.push('running');
      for (const change of changesOf.get(id) ?? []) want.push(change.state);
    }
    const errored = want.includes('error');
    if (!errored) {
      if (stopped.has(id)) want.push('configured');
      if (reset.has(id)) want.push('standby');
      if (killed.has(id)) want.push('TASK_KILLED');
    }
    const all = updatesOf.get(id) ?? [];
    const from = all.findIndex((u) => u.state === 'TASK_RUNNING');
    const got = (from < 0 ? [] : all.slice(from)).map(keyOf);
    const common = lcsLength(want, got);
    expected += want.length;
    received += got.length;
    lost += want.length - common;
    duplicate += got.length - common;
  }

  const transitionTimes = (['configure', 'start', 'stop', 'reset'] as const).flatMap((p) => phases[p]?.perTaskMs ?? []);
  const failures = Object.values(phases).flatMap((p) => p?.failures ?? []);
  const windowMs = raw.window.end - raw.window.start;
  const intervals = final.processes.map((p) => ({ start: p.start, end: p.end ?? raw.window.end + 1e9 }));
  const inWindow = intervals.filter((p) => p.end >= raw.window.start && p.start <= raw.window.end);
  const launchTimes = phases.launch?.perTaskMs ?? [];
  return {
    strategy: raw.strategy,
    n: raw.n,
    launchToRunningS: launchTimes.length === 0 ? Number.NaN : Math.max(...launchTimes) / 1000,
    launchP50S: median(launchTimes) / 1000,
    transitions: { count: transitionTimes.length, p50Ms: quantile(transitionTimes, 0.5), p99Ms: quantile(transitionTimes, 0.99) },
    configureBatchS: (phases.configure?.wallMs ?? Number.NaN) / 1000,
    killBatchS: (phases.kill?.wallMs ?? Number.NaN) / 1000,
    detection: {
      count: detections.length,
      p50Ms: quantile(detections, 0.5),
      p99Ms: quantile(detections, 0.99),
      maxMs: detections.length === 0 ? Number.NaN : Math.max(...detections),
    },
    updates: { expected, received, lost, duplicate },
    failures: failures.length,
    ...(failures[0] === undefined ? {} : { firstFailure: `${failures[0].taskId}: ${failures[0].reason}: ${failures[0].message}` }),
    processes: {
      spawned: final.processes.length,
      peakConcurrent: peakOverlap(intervals),
      spawnedInWindow: final.processes.filter((p) => p.start >= raw.window.start && p.start <= raw.window.end).length,
      peakInWindow: peakOverlap(inWindow, raw.window.start, raw.window.end),
      longLivedInWindow: inWindow.filter((p) => Math.min(p.end, raw.window.end) - Math.max(p.start, raw.window.start) >= windowMs / 2).length,
    },
    cpu: {
      perTaskMinute: raw.window.cpu.total / (raw.n * (windowMs / 60_000)),
      windowSeconds: raw.window.cpu.total,
      windowOurs: raw.window.cpu.self,
      windowKubectl: raw.window.cpu.children,
      totalOurs: (final.userCpuMicros + final.systemCpuMicros) / 1e6,
      totalKubectl: final.reapedChildrenCpuSeconds,
    },
    memory: {
      kubectlPeakRssMiB: raw.memory.all.rss / MiB,
      kubectlPeakAnonMiB: raw.memory.all.anon / MiB,
      kubectlPeakCountSampled: raw.memory.all.count,
      kubectlLargestMiB: raw.memory.all.largest / MiB,
      kubectlWindowRssMiB: raw.memory.window.rss / MiB,
      oursPeakRssMiB: (final.maxRssKiB * 1024) / MiB,
    },
    changesInjected: raw.changes.filter((c: InjectedChange) => c.phase === 'window').length,
    errorsInjected: raw.changes.filter((c) => c.state === 'error').length,
    restoreMissing: raw.restoreMissing.length,
    ...(final.informerRestarts === undefined ? {} : { informerRestarts: final.informerRestarts }),
    wallS: raw.wallMs / 1000,
    getWallMs: raw.getWallMs,
  };
}
