/**
 * The error family. Every error kubectl-task throws on purpose is a ReasonedError whose `reason`
 * comes from one vocabulary, Reason: the CLI maps it to an exit code (cli/exit-codes.ts, a
 * Record over every reason), the bridge answers it as `error.reason`, a failed task reports it
 * as its status update's reason. Callers branch on `reason`, never on a message or a class.
 *
 * The classes, one per layer, each with its type guard: KubectlError (kubectl/errors.ts),
 * TaskError (task/errors.ts), RenderError, EnvParseError and ExecutorEnvError (render/),
 * ManifestError and its WorkflowError (manifest/), BridgeError (bridge/errors.ts) and the CLI's
 * UsageError (cli/usage-error.ts).
 */

/** A kubectl call failed; set only by classify() (kubectl/classify.ts). */
export const KUBECTL_REASONS = [
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Invalid',
  'Forbidden',
  'Unauthorized',
  'Unreachable',
  'Timeout',
  'TooManyRequests',
  'ServerError',
  'KubectlNotFound',
  'KubectlTooOld',
  /** The kubeconfig does not give what was asked: no such context, cluster or user, or it cannot be read. */
  'KubeconfigError',
  /** kubectl failed in a way classify() cannot name (also: any error outside the family, see reasonOf). */
  'Unknown',
] as const;

/** A task's lifecycle refused or failed an operation (TaskError). */
export const TASK_REASONS = [
  /** Not launched or attached yet: nothing to move or wait for. */
  'NotLaunched',
  /** Launched already (here, or a Task of that task id exists): a launch never changes it. */
  'AlreadyLaunched',
  /** The task ended or is being killed. */
  'Terminated',
  /** The Task's status.state does not allow the transition (or another is in progress). */
  'WrongState',
  'UnsupportedTransition',
  /** status.state became `error` (or `done`) during a transition. */
  'TransitionFailed',
  'TransitionTimeout',
  /** The Task is not there (deleted, or never created). */
  'TaskGone',
  /** The Task of that name belongs to another task or was not made by kubectl-task. */
  'OwnedElsewhere',
  /** The fleet holds no task of that id (never launched here, already killed, or another executor's). */
  'UnknownTask',
  /** The fleet (or the bridge) is closing: it takes no new work. */
  'ShuttingDown',
  /** Applied, but no `status.state` came within the launch timeout; the Task is left as it is. */
  'NoStatus',
  /** A task found by id has no template: it can be followed, moved and killed, not launched. */
  'NoTemplate',
  /** One task id labels several Tasks in the namespace: name the one meant (`task/NAME`). */
  'Ambiguous',
] as const;

/** Input refused before anything reached a cluster: each is the name of the class that says so. */
export const INPUT_REASONS = ['UsageError', 'RenderError', 'ManifestError', 'EnvParseError', 'ExecutorEnvError'] as const;

/** The bridge's own (BridgeError); ShuttingDown is shared with the fleet. */
export const BRIDGE_REASONS = [
  /** A request line that is not a valid request. */
  'BadRequest',
  /** A request of a type the bridge does not know. */
  'UnknownType',
  /** A request line over the bridge's bound. */
  'LineTooLong',
  /** The engine answered something the protocol cannot carry. */
  'Internal',
  /** The client's bridge ended (or could not be read) before answering. */
  'BridgeClosed',
] as const;

export type KubectlReason = (typeof KUBECTL_REASONS)[number];
export type TaskReason = (typeof TASK_REASONS)[number];
export type InputReason = (typeof INPUT_REASONS)[number];
export type BridgeReason = (typeof BRIDGE_REASONS)[number];
/** Every machine-readable reason kubectl-task gives a failure. */
export type Reason = KubectlReason | TaskReason | InputReason | BridgeReason;

const REASONS: ReadonlySet<string> = new Set<Reason>([...KUBECTL_REASONS, ...TASK_REASONS, ...INPUT_REASONS, ...BRIDGE_REASONS]);

export function isReason(value: unknown): value is Reason {
  return typeof value === 'string' && REASONS.has(value);
}

/** The base of every error of the family. */
export class ReasonedError<R extends Reason = Reason> extends Error {
  readonly reason: R;

  constructor(reason: R, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** The type guard of an error class, as each family exports one: `export const isTaskError = guardOf(TaskError)`. */
export function guardOf<T extends Error>(errorClass: abstract new (...args: never[]) => T): (value: unknown) => value is T {
  return (value): value is T => value instanceof errorClass;
}

export const isReasonedError = guardOf(ReasonedError);

/** The reason of any error: its own in the family, `Unknown` for anything else. */
export function reasonOf(error: unknown): Reason {
  return error instanceof ReasonedError ? error.reason : 'Unknown';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
