/**
 * Exit codes (documented in the README). A scheduler wrapping the CLI can tell "the task failed"
 * from "you called me wrong" from "the cluster or kubectl is in trouble".
 */
import { isReason, reasonOf, type Reason } from '../errors.ts';
import { stderrDetailLines } from '../kubectl/classify.ts';
import { KubectlError } from '../kubectl/errors.ts';
import { redactText } from '../kubectl/redact.ts';
import { TaskError } from '../task/errors.ts';

export const EXIT = {
  ok: 0,
  taskFailed: 1,
  usage: 2,
  cluster: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The exit code of every reason (src/errors.ts): a reason added there does not compile until it
 * has one here. 1: the task itself failed; 2: you called it wrong (a flag, a template, a
 * variable, a transition from the wrong state, a task named wrongly, a context the kubeconfig
 * does not have); 3: the cluster, kubectl or
 * the bridge is in trouble.
 */
export const EXIT_CODES: Readonly<Record<Reason, ExitCode>> = {
  // kubectl
  NotFound: EXIT.cluster,
  AlreadyExists: EXIT.cluster,
  Conflict: EXIT.cluster,
  Invalid: EXIT.cluster,
  Forbidden: EXIT.cluster,
  Unauthorized: EXIT.cluster,
  Unreachable: EXIT.cluster,
  Timeout: EXIT.cluster,
  TooManyRequests: EXIT.cluster,
  ServerError: EXIT.cluster,
  KubectlNotFound: EXIT.cluster,
  KubectlTooOld: EXIT.cluster,
  KubeconfigError: EXIT.usage,
  Unknown: EXIT.cluster,
  // a task's lifecycle
  NotLaunched: EXIT.usage,
  AlreadyLaunched: EXIT.taskFailed,
  Terminated: EXIT.taskFailed,
  WrongState: EXIT.usage,
  UnsupportedTransition: EXIT.usage,
  TransitionFailed: EXIT.taskFailed,
  TransitionTimeout: EXIT.taskFailed,
  TaskGone: EXIT.cluster,
  OwnedElsewhere: EXIT.cluster,
  UnknownTask: EXIT.cluster,
  ShuttingDown: EXIT.cluster,
  NoStatus: EXIT.taskFailed,
  NoTemplate: EXIT.usage,
  Ambiguous: EXIT.usage,
  // input
  UsageError: EXIT.usage,
  RenderError: EXIT.usage,
  ManifestError: EXIT.usage,
  EnvParseError: EXIT.usage,
  ExecutorEnvError: EXIT.usage,
  // the bridge
  BadRequest: EXIT.cluster,
  UnknownType: EXIT.cluster,
  LineTooLong: EXIT.cluster,
  Internal: EXIT.cluster,
  BridgeClosed: EXIT.cluster,
};

/**
 * The exit code of a reason as a status update gives it (kill reports its task's): a reason
 * outside the vocabulary (a task state such as `error`) is 3, as an unknown failure.
 */
export function exitCodeForReason(reason: string): ExitCode {
  return isReason(reason) ? EXIT_CODES[reason] : EXIT.cluster;
}

export function exitCodeFor(error: unknown): ExitCode {
  return EXIT_CODES[reasonOf(error)];
}

/**
 * One line for stderr: what failed and why. kubectl's own stderr follows only for the lines the
 * diagnosis does not already carry (warnings, extra causes), so nothing is said twice, and never
 * the patch kubectl echoes after "error when applying patch:" (it holds the manifest, Secrets
 * included); what remains is scrubbed of secret-looking values.
 */
export function diagnose(error: unknown): string {
  if (error instanceof KubectlError) {
    const extra = withoutEchoedPatches(stderrDetailLines(error.result?.stderr ?? ''))
      .map((line) => line.trim())
      .filter((line) => line !== '' && !error.message.includes(line.replace(/^(Error from server \(\w+\): |error: |\* )/, '')))
      .map((line) => `  ${redactText(line)}`);
    return [`error: ${error.message} [${error.reason}]`, ...extra].join('\n');
  }
  // The reason too, as for kubectl's errors: a wrapper can match it without parsing the sentence.
  if (error instanceof TaskError) return `error: ${error.message} [${error.reason}]`;
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}

/** Drops the object kubectl prints between "error when applying patch:" and "to:". */
function withoutEchoedPatches(lines: readonly string[]): string[] {
  const out: string[] = [];
  let inPatch = false;
  for (const line of lines) {
    if (inPatch) {
      if (line.trim() === 'to:') {
        inPatch = false;
        out.push('  <patch not shown>');
      }
      continue;
    }
    out.push(line);
    if (/error when applying patch:\s*$/.test(line)) inPatch = true;
  }
  return out;
}
