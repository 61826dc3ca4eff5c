/** What a KubectlTask takes: made from a template or by id, and what launch() takes. */
import type { Clock } from '../clock.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { MonitorFactory } from './monitor.ts';
import type { RenderTaskArgs } from './render-task.ts';
import type { StatusUpdate } from './status-reporter.ts';

/** What every task takes, however it is made (from a template, or by id). */
export interface CommonOptions {
  readonly id: string;
  readonly kubectl: Kubectl;
  readonly transitionTimeoutMs?: number;
  readonly killTimeoutMs?: number;
  /** Bound of launch()'s wait for the first `status.state` (default 60 000). */
  readonly launchTimeoutMs?: number;
  /**
   * How long the API server may stay unreachable (the monitor failing with a transient reason)
   * before the task reports TASK_UNREACHABLE; the next observation reports its state again.
   * Default 60 000, as the fleet's. A transient failure never ends a task.
   */
  readonly unreachableGraceMs?: number;
  readonly monitor?: MonitorFactory;
  readonly onStatus?: (update: StatusUpdate) => void;
  /** Arms the launch, transition and unreachable timeouts (default systemClock; tests inject a manual one). */
  readonly clock?: Clock;
}

export interface KubectlTaskOptions extends Omit<RenderTaskArgs, 'taskId'>, CommonOptions {
  /** Validate every document server-side before applying any (nothing half-applied). Default true. */
  readonly dryRunFirst?: boolean;
}

/**
 * A task launched earlier, found by the id it was launched with (its `kubectl-task/task-id`
 * label): it can be attached, moved and killed, not launched (there is no template).
 */
export interface KubectlTaskByIdOptions extends CommonOptions {
  /** Where to look; default: the runner's -n, else the kubeconfig context's namespace. */
  readonly namespace?: string;
  readonly template?: never;
}

export interface LaunchOptions {
  /**
   * `first-status` (default): resolve once the Task reports its first `status.state`
   * (TASK_RUNNING, or a terminal state), or once the task ended otherwise (a kill meanwhile).
   * `applied`: resolve right after the apply (TASK_STARTING).
   */
  readonly until?: 'first-status' | 'applied';
  /** Bound of the wait for the first status; default the task's launchTimeoutMs, else 60 000. */
  readonly timeoutMs?: number;
  /** Ends the wait (NoStatus), not the apply: what was applied stays. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_LAUNCH_TIMEOUT_MS = 60_000;
export const DEFAULT_UNREACHABLE_GRACE_MS = 60_000;
