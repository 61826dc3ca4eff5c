/**
 * Lifecycle errors of a KubectlTask and of the fleet (as opposed to KubectlError, which is about
 * a kubectl call); the reasons and what each means are in src/errors.ts (TASK_REASONS).
 */
import { ReasonedError, guardOf, isReasonedError, type TaskReason } from '../errors.ts';
import { resourceArg } from '../kubectl/commands.ts';
import { KubectlError } from '../kubectl/errors.ts';
import { redactValues } from '../render/redact.ts';
import type { ObjectRef } from '../kubectl/types.ts';

export class TaskError extends ReasonedError<TaskReason> {
  override readonly name = 'TaskError';
  readonly taskId: string;

  constructor(args: { reason: TaskReason; taskId: string; message: string; cause?: unknown }) {
    super(args.reason, args.message, args.cause === undefined ? undefined : { cause: args.cause });
    this.taskId = args.taskId;
  }
}

export const isTaskError = guardOf(TaskError);

/** `task.v1alpha1.aliecs.alice.cern/t1 in namespace ns`, as messages name objects. */
export function describeRef(ref: ObjectRef): string {
  return `${resourceArg(ref)}${ref.namespace ? ` in namespace ${ref.namespace}` : ''}`;
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
  // Another error of the family keeps its reason (its exit code, its bridge answer).
  const copy = isReasonedError(error) ? new ReasonedError(error.reason, message) : new Error(message);
  copy.name = error.name;
  return copy;
}
