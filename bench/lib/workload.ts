/**
 * One run of the workload for one strategy and one N, driven from the orchestrator: a worker
 * process runs the strategy; this side injects the task manager's status changes, samples the
 * worker's kubectl children, and reads CPU from /proc around the hold window.
 *
 *   launch N → CONFIGURE → START → hold the window while random tasks' status.state changes at a
 *   fixed rate (one change in errorEvery is `error`) → put changed tasks back to running → STOP →
 *   RESET → kill all.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { BenchArgs } from './args.ts';
import type { BenchCluster, StatusBody } from './cluster.ts';
import { ROOT, TASK_RESOURCE } from './cluster.ts';
import { childrenCpuSeconds } from './procfs.ts';
import {
  epochMs,
  isWorkerAnswer,
  type PhaseResult,
  type StrategyName,
  type TransitionEventName,
  type WorkerAnswer,
  type WorkerFinal,
  type WorkerRequest,
} from './protocol.ts';
import { ChildSampler, type MemoryPeaks } from './sampler.ts';
import { median, seededRandom } from './stats.ts';

/** The timing of the workload as the command line gave it (see BenchArgs), for one strategy and N. */
export interface WorkloadOptions extends Pick<BenchArgs, 'windowMs' | 'pollIntervalMs' | 'changeEveryMs' | 'cooldownMs' | 'errorEvery' | 'seed'> {
  readonly strategy: StrategyName;
  readonly n: number;
  readonly templateText: string;
  readonly kubectlBinary?: string;
  readonly log: (line: string) => void;
}

export interface InjectedChange {
  readonly taskId: string;
  readonly state: string;
  /**
   * When it was sent, epoch ms: the HTTP PATCH on the sandbox; on a cluster, the start of
   * `kubectl patch --subresource=status` (so detection there includes kubectl's start-up).
   */
  readonly at: number;
  readonly ok: boolean;
  readonly phase: 'window' | 'restore';
}

export type PhaseName = 'launch' | 'configure' | 'start' | 'stop' | 'reset' | 'kill';

export interface PhaseRecord extends PhaseResult {
  /** The tasks the phase was asked for. */
  readonly asked: readonly string[];
}

export interface WorkloadRaw {
  readonly strategy: StrategyName;
  readonly n: number;
  readonly ids: readonly string[];
  readonly phases: Readonly<Partial<Record<PhaseName, PhaseRecord>>>;
  readonly changes: readonly InjectedChange[];
  /** Ticks of the change schedule that found no task to change (all cooling down or failed). */
  readonly skippedTicks: number;
  readonly window: { readonly start: number; readonly end: number; readonly cpu: { readonly total: number; readonly self: number; readonly children: number } };
  readonly restoreMissing: readonly string[];
  readonly memory: { readonly all: MemoryPeaks; readonly window: MemoryPeaks };
  readonly final: WorkerFinal;
  readonly wallMs: number;
  /** Median wall time of a few `kubectl get <task> -o jsonpath={.status.state}` right before the transitions, ms. */
  readonly getWallMs: number;
}

class WorkerChannel {
  private waiting: ((answer: WorkerAnswer) => void) | undefined;
  readonly exited: Promise<number | null>;

  constructor(private readonly child: ReturnType<typeof spawn>) {
    child.on('message', (message: unknown) => {
      if (!isWorkerAnswer(message)) return;
      const waiter = this.waiting;
      this.waiting = undefined;
      waiter?.(message);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  request(request: WorkerRequest): Promise<WorkerAnswer> {
    if (this.waiting !== undefined) throw new Error('bench: one worker request at a time');
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      void this.exited.then((code) => reject(new Error(`bench: the worker ended (exit ${String(code)}) during ${request.type}`)));
      this.child.send(request);
    });
  }
}

function expectPhase(answer: WorkerAnswer, what: string): PhaseResult {
  if (answer.type === 'phase') return answer.result;
  throw new Error(`bench: ${what}: ${answer.type === 'error' ? answer.message : `unexpected ${answer.type}`}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A long delay keeps the fake task manager from undoing injected changes during the window. */
const PAUSED_DELAY_MS = 3_600_000;
const SETTLE_MS = 5_000;
const OTHER_STATES = ['standby', 'configured', 'running'] as const;

export async function runWorkload(cluster: BenchCluster, options: WorkloadOptions): Promise<WorkloadRaw> {
  const { strategy, n, log } = options;
  const began = epochMs();
  const prefix = `${strategy[0] ?? 's'}${n}-`;
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  // --no-memory-reducer: V8 shrinks the heap with a few full collections ~20 s after a busy
  // process goes quiet (~0.1 s of CPU, once per quiet-down); where that lands relative to the
  // window is chance, and at N=10 it alone would decide the window's CPU. It belongs to the burst
  // before it, not to monitoring. The whole run's CPU is reported as well.
  const child = spawn(process.execPath, ['--expose-gc', '--no-memory-reducer', '--import', 'tsx', path.join(ROOT, 'bench', 'worker.ts')], {
    cwd: ROOT,
    env: { ...cluster.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('bench: the worker did not start');
  const worker = new WorkerChannel(child);
  const sampler = new ChildSampler(pid);
  const phases: Partial<Record<PhaseName, PhaseRecord>> = {};
  const changes: InjectedChange[] = [];
  try {
    const ready = await worker.request({
      type: 'init',
      config: {
        strategy,
        kubeconfig: cluster.kubeconfig,
        ...(cluster.context === undefined ? {} : { context: cluster.context }),
        namespace: cluster.namespace,
        ...(options.kubectlBinary === undefined ? {} : { kubectlBinary: options.kubectlBinary }),
        templateText: options.templateText,
        pollIntervalMs: options.pollIntervalMs,
        executorId: `bench-${prefix.slice(0, -1)}`,
        transitionTimeoutMs: 120_000,
      },
    });
    if (ready.type !== 'ready') throw new Error(`bench: worker init: ${ready.type === 'error' ? ready.message : ready.type}`);

    const ok = (result: PhaseResult, among: readonly string[]): string[] => {
      const failed = new Set(result.failures.map((f) => f.taskId));
      return among.filter((id) => !failed.has(id));
    };
    const step = async (name: PhaseName, request: WorkerRequest, among: readonly string[]): Promise<string[]> => {
      const result = expectPhase(await worker.request(request), name);
      phases[name] = { ...result, asked: among };
      const failures =
        result.failures.length === 0 ? '' : `, ${result.failures.length} failed (first: ${result.failures[0]?.reason}: ${result.failures[0]?.message})`;
      log(`  ${strategy} N=${n}: ${name} ${among.length} in ${(result.wallMs / 1000).toFixed(2)} s${failures}`);
      return ok(result, among);
    };
    const transition = (name: PhaseName, event: TransitionEventName, among: readonly string[]): Promise<string[]> =>
      step(name, { type: 'transition', event, ids: among }, among);

    /** The worker's own CPU (process.cpuUsage) and its kubectl children's, at one instant. */
    const cpuReading = async (label: string): Promise<{ self: number; children: number }> => {
      const marked = await worker.request({ type: 'mark', label });
      const children = childrenCpuSeconds(pid);
      if (marked.type !== 'marked' || children === undefined) throw new Error(`bench: cannot read the CPU of worker ${pid}`);
      return { self: marked.cpuSeconds, children: children.reaped + children.live };
    };

    const launched = await step('launch', { type: 'launch', ids }, ids);
    // What one kubectl call costs right now (the machine is shared: this drifts during a run).
    const gets: number[] = [];
    for (let i = 0; i < 5 && launched[0] !== undefined; i++) {
      const t = epochMs();
      await cluster.kubectl.run(['get', TASK_RESOURCE, launched[0], '-o', 'jsonpath={.status.state}'], { retry: false });
      gets.push(epochMs() - t);
    }
    const configured = await transition('configure', 'CONFIGURE', launched);
    const running = await transition('start', 'START', configured);

    // The hold window starts SETTLE_MS after the last transition: a Node process that just did a
    // burst of work keeps compiling and collecting in the background for a moment, which is the
    // burst's cost, not monitoring's.
    await worker.request({ type: 'mark', label: 'settle' });
    await sleep(SETTLE_MS);
    await cluster.setControllerDelay(PAUSED_DELAY_MS);
    const status = new Map<string, { state: string; lastChange: number }>();
    const cpuStart = await cpuReading('window-start');
    const windowStart = epochMs();
    for (const id of running) status.set(id, { state: 'running', lastChange: windowStart - options.cooldownMs });
    sampler.setWindow(true);
    const random = seededRandom(options.seed * 100_003 + n);
    const tickMs = options.changeEveryMs / Math.max(1, running.length);
    const writes: Promise<void>[] = [];
    let count = 0;
    let skippedTicks = 0;
    const inject = (taskId: string, state: string, phase: InjectedChange['phase']): void => {
      const body: StatusBody = state === 'error' ? { state, error: 'bench: injected failure' } : { state };
      writes.push(
        cluster.writeStatus(taskId, body).then((w) => {
          changes.push({ taskId, state, at: w.sentAt, ok: w.ok, phase });
          if (!w.ok) log(`  ${strategy} N=${n}: status write for ${taskId} failed: ${w.message ?? ''}`);
        }),
      );
    };
    if (running.length > 0 && cluster.canInject) {
      for (let tick = 1; ; tick++) {
        const due = windowStart + tick * tickMs;
        if (due >= windowStart + options.windowMs) break;
        await sleep(due - epochMs());
        const now = epochMs();
        let picked: string | undefined;
        for (let attempt = 0; attempt < 20 && picked === undefined; attempt++) {
          const id = running[Math.floor(random() * running.length)];
          const s = id === undefined ? undefined : status.get(id);
          if (id !== undefined && s !== undefined && s.state !== 'error' && now - s.lastChange >= options.cooldownMs) picked = id;
        }
        const s = picked === undefined ? undefined : status.get(picked);
        if (picked === undefined || s === undefined) {
          skippedTicks += 1;
          continue;
        }
        count += 1;
        const choices = OTHER_STATES.filter((x) => x !== s.state);
        const next = count % options.errorEvery === 3 % options.errorEvery ? 'error' : (choices[Math.floor(random() * choices.length)] ?? 'standby');
        s.state = next;
        s.lastChange = now;
        inject(picked, next, 'window');
      }
    }
    await sleep(windowStart + options.windowMs - epochMs());
    const windowEnd = epochMs();
    const cpuEnd = await cpuReading('window-end');
    sampler.setWindow(false);
    await Promise.all(writes);
    log(
      `  ${strategy} N=${n}: window ${(options.windowMs / 1000).toFixed(0)} s, ${count} status changes injected${skippedTicks > 0 ? ` (${skippedTicks} ticks found no task to change)` : ''}`,
    );

    // Put every changed task back to running, each no sooner than the cooldown after its last change.
    const restoring = [...status.entries()].filter(([, s]) => s.state !== 'running' && s.state !== 'error');
    await Promise.all(
      restoring.map(async ([id, s]) => {
        await sleep(s.lastChange + options.cooldownMs - epochMs());
        s.state = 'running';
        s.lastChange = epochMs();
        inject(id, 'running', 'restore');
      }),
    );
    await Promise.all(writes);
    const expect = [...status.entries()].map(([id, s]) => [id, s.state] as const);
    const awaited = await worker.request({ type: 'await', expect, timeoutMs: options.cooldownMs + 60_000 });
    const restoreMissing = awaited.type === 'awaited' ? awaited.missing : [];
    if (restoreMissing.length > 0) log(`  ${strategy} N=${n}: ${restoreMissing.length} task(s) did not report their last injected state`);
    await cluster.setControllerDelay(0);

    const live = [...status.entries()].filter(([id, s]) => s.state === 'running' && !restoreMissing.includes(id)).map(([id]) => id);
    const stopped = await transition('stop', 'STOP', live);
    await transition('reset', 'RESET', stopped);
    await step('kill', { type: 'kill', ids: launched }, launched);
    const final = await worker.request({ type: 'finish' });
    if (final.type !== 'final') throw new Error(`bench: worker finish: ${final.type === 'error' ? final.message : final.type}`);
    await worker.exited;
    return {
      strategy,
      n,
      ids,
      phases,
      changes,
      skippedTicks,
      window: {
        start: windowStart,
        end: windowEnd,
        cpu: {
          total: cpuEnd.self + cpuEnd.children - cpuStart.self - cpuStart.children,
          self: cpuEnd.self - cpuStart.self,
          children: cpuEnd.children - cpuStart.children,
        },
      },
      restoreMissing,
      memory: sampler.stop(),
      final: final.result,
      wallMs: epochMs() - began,
      getWallMs: median(gets),
    };
  } finally {
    sampler.stop();
    await cluster.setControllerDelay(0).catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([worker.exited, sleep(5_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}
