/**
 * The engine behind `kubectl-task serve`: many tasks of one kubectl connection, watched by one
 * shared informer per namespace and changed by batched kubectl calls. These are the shapes the
 * bridge (and any library user) sees; the implementation is TaskFleet in fleet.ts.
 */
import type { Clock } from '../clock.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { ExecutorEnvArgs } from '../render/executor-env.ts';
import type { ExecutorState, TaskState } from '../task/states.ts';

/** What TaskFleet takes. */
export interface FleetOptions {
  readonly kubectl: Kubectl;
  /** Where tasks live (default: the runner's -n, else the kubeconfig context's, else `default`). */
  readonly namespace?: string;
  /** One informer for all namespaces (`-A`); a manifest's own namespace then decides. */
  readonly allNamespaces?: boolean;
  /** Labels every object the fleet applies (`kubectl-task/executor-id`), and scopes reattachment to it. */
  readonly executorId?: string;
  /** How long kubectl may keep failing before tasks become TASK_UNREACHABLE. Default 60 000. */
  readonly unreachableGraceMs?: number;
  readonly launchTimeoutMs?: number;
  readonly transitionTimeoutMs?: number;
  readonly killTimeoutMs?: number;
  readonly batch?: Partial<BatchOptions>;
  readonly informerBackoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Stamps status updates, arms the launch, transition, kill and unreachable timeouts (default systemClock). */
  readonly clock?: Clock;
}

/**
 * Requests that arrive together go out in one kubectl call: at most maxSize, after delayMs; at
 * most maxInFlight such calls at once (default 1), the requests arriving meanwhile forming the next.
 */
export interface BatchOptions {
  readonly maxSize: number;
  readonly delayMs: number;
  readonly maxInFlight?: number;
}

/** Where a task's manifest comes from: a template file, or the template text itself. */
export type FleetTemplate = { readonly file: string } | { readonly text: string };

export interface FleetLaunchRequest {
  readonly taskId: string;
  readonly template: FleetTemplate;
  /** The task's own variables: nothing else fills the template (never the executor's environment). */
  readonly env?: Readonly<Record<string, string>>;
  /** KUBE_COMMAND, KUBE_ARGUMENTS, FLP_* of the original executor. */
  readonly executor?: ExecutorEnvArgs;
  readonly allowMissing?: boolean;
}

export interface FleetTransitionRequest {
  readonly taskId: string;
  readonly event: string;
  readonly arguments?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** One pushed status change: `seq` increases by one per task and per change, never reused. */
export interface FleetStatusUpdate {
  readonly taskId: string;
  readonly seq: number;
  readonly state: ExecutorState;
  readonly taskState?: TaskState;
  readonly reason: string;
  readonly message?: string;
  /** ISO 8601, when the fleet learned of the change. */
  readonly time: string;
}

export interface FleetTaskSnapshot {
  readonly taskId: string;
  readonly namespace: string;
  readonly name: string;
  readonly state: ExecutorState | undefined;
  readonly taskState?: TaskState;
  /** `spec.state`, the desired state. */
  readonly desired?: string;
  readonly seq: number;
  readonly resourceVersion?: string;
}

export interface FleetTransitionResult {
  readonly taskId: string;
  readonly taskState: TaskState;
  readonly resourceVersion?: string;
}

/** What serve drives: TaskFleet implements it; bridge tests may use a fake. */
export interface Engine {
  /** Lists the Tasks already in scope and starts the informers; resolves with the reattached ids. */
  start(): Promise<{ readonly reattached: readonly string[] }>;
  /** Resolves once the Task reported its first status.state (TASK_RUNNING or terminal). */
  launch(request: FleetLaunchRequest): Promise<FleetTaskSnapshot>;
  transition(request: FleetTransitionRequest): Promise<FleetTransitionResult>;
  /** Deletes the task's objects and resolves with its terminal state once they are gone. */
  kill(taskId: string): Promise<ExecutorState>;
  status(taskId?: string): readonly FleetTaskSnapshot[];
  onStatus(listener: (update: FleetStatusUpdate) => void): () => void;
  /** Stops accepting work, lets in-flight kubectl calls finish within deadlineMs, leaves Tasks running. */
  close(options?: { readonly deadlineMs?: number }): Promise<void>;
}
