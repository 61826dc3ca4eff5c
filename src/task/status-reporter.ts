/**
 * The executor-facing status of one task: the last ExecutorState and the callback that hears
 * every change. Once a terminal state is reported nothing follows it, whatever races after, and no
 * update repeats the one before it.
 */
import createDebug from 'debug';
import { redactValues } from '../render/redact.ts';
import { isTerminal, type ExecutorState, type TaskState } from './states.ts';

const debug = createDebug('kubectl-task:task');

export interface StatusUpdate {
  readonly taskId: string;
  readonly previous: ExecutorState | undefined;
  readonly state: ExecutorState;
  /** The Task's own `status.state` when it is what changed. */
  readonly previousTaskState?: TaskState;
  readonly taskState?: TaskState;
  /** Machine-readable cause: a TaskState, a KubectlReason, `Applied`, `Killed`, `Deleted`… */
  readonly reason: string;
  readonly message?: string;
}

export interface Report {
  readonly state: ExecutorState;
  readonly reason: string;
  readonly message?: string | undefined;
  readonly previousTaskState?: TaskState | undefined;
  readonly taskState?: TaskState | undefined;
}

export class StatusReporter {
  private current: ExecutorState | undefined;
  /** The task's secret values, scrubbed from every message (set once rendered). */
  secrets: readonly string[] = [];
  private currentTaskState: TaskState | undefined;

  constructor(
    private readonly taskId: string,
    private readonly listener: ((update: StatusUpdate) => void) | undefined,
  ) {}

  get state(): ExecutorState | undefined {
    return this.current;
  }

  get ended(): boolean {
    return isTerminal(this.current);
  }

  /**
   * Returns false (and says nothing) when a terminal state was already reported, or when nothing
   * changed: the same executor state with the same taskState as the last update is no update.
   */
  report(r: Report): boolean {
    const previous = this.current;
    if (isTerminal(previous)) return false;
    if (previous === r.state && this.currentTaskState === r.taskState) return false;
    this.current = r.state;
    this.currentTaskState = r.taskState;
    debug('%s: %s → %s (%s)', this.taskId, previous ?? '-', r.state, r.reason);
    this.listener?.({
      taskId: this.taskId,
      previous,
      state: r.state,
      reason: r.reason,
      ...(r.message === undefined ? {} : { message: redactValues(r.message, this.secrets) }),
      ...(r.previousTaskState === undefined ? {} : { previousTaskState: r.previousTaskState }),
      ...(r.taskState === undefined ? {} : { taskState: r.taskState }),
    });
    return true;
  }
}
