/**
 * Lifecycle errors of a KubectlTask (as opposed to KubectlError, which is about a kubectl call).
 * `reason` is machine-readable so the CLI and the bridge can map it to exit codes and replies.
 */
import { resourceArg } from '../kubectl/commands.ts';
import { KubectlError } from '../kubectl/errors.ts';
import { redactValues } from '../render/redact.ts';
import type { ObjectRef } from '../kubectl/types.ts';

export type TaskErrorReason =
  | 'NotLaunched'
  | 'AlreadyLaunched'
  | 'Terminated'
  | 'WrongState'
  | 'UnsupportedTransition'
  | 'TransitionFailed'
  | 'TransitionTimeout'
  | 'TaskGone'
  | 'UserLookup'
  | 'OwnedElsewhere'
  /** The fleet holds no task of that id (never launched here, already killed, or another executor's). */
  | 'UnknownTask'
  /** The fleet is closing: it takes no new work. */
  | 'ShuttingDown'
  /** Applied, but no `status.state` came within the launch timeout; the Task is left as it is. */
  | 'NoStatus'
  /** A task found by id has no template: it can be followed, moved and killed, not launched. */
  | 'NoTemplate'
  /** One task id labels several Tasks in the namespace: name the one meant (`task/NAME`). */
  | 'Ambiguous';

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

/** `task.v1alpha1.aliecs.alice.cern/t1 in namespace ns`, as messages name objects. */
export function describeRef(ref: ObjectRef): string {
  return `${resourceArg(ref)}${ref.namespace ? ` in namespace ${ref.namespace}` : ''}`;
}

/** The machine-readable reason of any error a task operation can meet. */
export function reasonOf(error: unknown): string {
  if (error instanceof KubectlError || error instanceof TaskError) return error.reason;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return 'Unknown';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The same error with every secret value replaced by `<redacted>`: what reaches a status update,
 * a log line or an executor must never quote a task's secrets back (see RenderedTask.secrets).
 */
export function scrubError(error: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0 || !(error instanceof Error)) return error;
  const message = redactValues(error.message, secrets);
  if (error instanceof KubectlError && error.result !== undefined) {
    // kubectl's own output is shown under a diagnosis too: scrub it as well.
    const { result } = error;
    return new KubectlError({
      reason: error.reason,
      message,
      result: { ...result, stdout: redactValues(result.stdout, secrets), stderr: redactValues(result.stderr, secrets) },
      attempts: error.attempts,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    });
  }
  if (message === error.message) return error;
  if (error instanceof KubectlError) return error.withMessage(message);
  if (error instanceof TaskError) return new TaskError({ reason: error.reason, taskId: error.taskId, message, cause: error });
  const copy = new Error(message);
  copy.name = error.name;
  return copy;
}
