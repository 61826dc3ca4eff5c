/**
 * The messages between the benchmark's orchestrator (bench/run.ts) and its worker processes
 * (bench/worker.ts): one request at a time, each answered once. Both ends are ours; the guards
 * only make sure a stray message is not taken for an answer.
 */
export type StrategyName = 'poll' | 'watch' | 'fleet';
export const STRATEGIES: readonly StrategyName[] = ['poll', 'watch', 'fleet'];

export interface WorkerConfig {
  readonly strategy: StrategyName;
  readonly kubeconfig: string;
  readonly context?: string;
  readonly namespace: string;
  readonly kubectlBinary?: string;
  /** The manifest every task is launched from (TASK_NAME is its only variable). */
  readonly templateText: string;
  readonly pollIntervalMs: number;
  /** Scopes the fleet's informer to this run's tasks. */
  readonly executorId: string;
  readonly transitionTimeoutMs: number;
}

export type TransitionEventName = 'CONFIGURE' | 'START' | 'STOP' | 'RESET';

export type WorkerRequest =
  | { readonly type: 'init'; readonly config: WorkerConfig }
  | { readonly type: 'launch'; readonly ids: readonly string[] }
  | { readonly type: 'transition'; readonly event: TransitionEventName; readonly ids: readonly string[] }
  /** Resolves once every listed task last reported the given task state (or a timeout passed). */
  | { readonly type: 'await'; readonly expect: readonly (readonly [string, string])[]; readonly timeoutMs: number }
  | { readonly type: 'mark'; readonly label: string }
  | { readonly type: 'kill'; readonly ids: readonly string[] }
  | { readonly type: 'finish' };

export interface TaskFailure {
  readonly taskId: string;
  readonly reason: string;
  readonly message: string;
}

export interface PhaseResult {
  readonly startedAt: number;
  readonly wallMs: number;
  /** Round trip of each task's call (launch: to its first TASK_RUNNING), ms. */
  readonly perTaskMs: readonly number[];
  readonly failures: readonly TaskFailure[];
}

export interface RecordedUpdate {
  readonly taskId: string;
  readonly state: string;
  readonly taskState?: string;
  /** Epoch ms (performance.timeOrigin + performance.now()). */
  readonly at: number;
}

export interface ProcessRecord {
  readonly start: number;
  readonly end?: number;
  readonly stream: boolean;
}

export interface WorkerFinal {
  readonly updates: readonly RecordedUpdate[];
  readonly processes: readonly ProcessRecord[];
  readonly marks: Readonly<Record<string, number>>;
  /** process.resourceUsage() at the end: µs and KiB. */
  readonly userCpuMicros: number;
  readonly systemCpuMicros: number;
  readonly maxRssKiB: number;
  /** cutime+cstime of /proc/self/stat at the end: every kubectl this worker started and reaped. */
  readonly reapedChildrenCpuSeconds: number;
  readonly informerRestarts?: number;
}

export type WorkerAnswer =
  | { readonly type: 'ready' }
  | { readonly type: 'phase'; readonly result: PhaseResult }
  | { readonly type: 'awaited'; readonly missing: readonly string[] }
  /** `cpuSeconds`: process.cpuUsage() of the worker at that instant (user + system). */
  | { readonly type: 'marked'; readonly at: number; readonly cpuSeconds: number }
  | { readonly type: 'final'; readonly result: WorkerFinal }
  | { readonly type: 'error'; readonly message: string };

const ANSWER_TYPES: ReadonlySet<string> = new Set(['ready', 'phase', 'awaited', 'marked', 'final', 'error']);
const REQUEST_TYPES: ReadonlySet<string> = new Set(['init', 'launch', 'transition', 'await', 'mark', 'kill', 'finish']);

function typeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('type' in value)) return undefined;
  return typeof value.type === 'string' ? value.type : undefined;
}

export function isWorkerAnswer(value: unknown): value is WorkerAnswer {
  const type = typeOf(value);
  return type !== undefined && ANSWER_TYPES.has(type);
}

export function isWorkerRequest(value: unknown): value is WorkerRequest {
  const type = typeOf(value);
  return type !== undefined && REQUEST_TYPES.has(type);
}

/** Wall-clock ms with sub-ms resolution, comparable across the benchmark's processes. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
