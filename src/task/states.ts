/**
 * The Task's own state machine (as the in-cluster task manager reports it in `status.state`) and
 * its mapping onto the Mesos-style executor states that a scheduler understands.
 */

/** Values of `status.state` written by the task manager (lower case upstream). */
export type TaskState = 'standby' | 'deployed' | 'configured' | 'running' | 'error' | 'done' | 'not-mapped';

/** Values `spec.state` accepts (the CRD's enum). */
export type DesiredState = 'standby' | 'deployed' | 'configured' | 'running';

export type ExecutorState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_LOST'
  /**
   * Mesos' non-terminal "may still be running, cannot be seen" (partition-aware frameworks): the
   * fleet reports it after an outage outlasted its grace period, and TASK_RUNNING once it sees the
   * Task again.
   */
  | 'TASK_UNREACHABLE';

export const TERMINAL_EXECUTOR_STATES: ReadonlySet<ExecutorState> = new Set<ExecutorState>(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST']);

const KNOWN_STATES: ReadonlySet<string> = new Set<TaskState>(['standby', 'deployed', 'configured', 'running', 'error', 'done', 'not-mapped']);

/**
 * Normalises what a cluster reports. Upstream compares upper-cased, so an operator writing
 * `RUNNING` must still be understood; anything unknown is kept verbatim for the logs.
 */
export function parseTaskState(raw: unknown): TaskState | { unknown: string } | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const lower = raw.trim().toLowerCase();
  return KNOWN_STATES.has(lower) ? (lower as TaskState) : { unknown: raw };
}

/**
 * Executor state for an observed `status.state`. `undefined` means "nothing to report yet" (no
 * status written, or a value the task manager should never write).
 */
export function executorStateFor(state: TaskState | undefined): ExecutorState | undefined {
  switch (state) {
    case 'standby':
    case 'deployed':
    case 'configured':
    case 'running':
      return 'TASK_RUNNING';
    case 'error':
      return 'TASK_FAILED';
    case 'done':
      return 'TASK_FINISHED';
    case 'not-mapped':
    case undefined:
      return undefined;
  }
}

export function isTerminal(state: ExecutorState | undefined): boolean {
  return state !== undefined && TERMINAL_EXECUTOR_STATES.has(state);
}
