/**
 * Lifecycle errors of a KubectlTask (as opposed to KubectlError, which is about a kubectl call).
 * `reason` is machine-readable so the CLI and the bridge can map it to exit codes and replies.
 */
export type TaskErrorReason =
  | 'NotLaunched'
  | 'AlreadyLaunched'
  | 'Terminated'
  | 'WrongState'
  | 'UnsupportedTransition'
  | 'TransitionFailed'
  | 'TransitionTimeout'
  | 'TaskGone'
  | 'UserLookup';

export class TaskError extends Error {
  override readonly name = 'TaskError';
  readonly reason: TaskErrorReason;
  readonly taskId: string;

  constructor(args: { reason: TaskErrorReason; taskId: string; message: string; cause?: unknown }) {
    super(args.message, args.cause === undefined ? undefined : { cause: args.cause });
    this.reason = args.reason;
    this.taskId = args.taskId;
  }
}
