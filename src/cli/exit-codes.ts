/**
 * Exit codes (documented in the README). A scheduler wrapping the CLI can tell "the task failed"
 * from "you called me wrong" from "the cluster or kubectl is in trouble".
 */
import { stderrDetailLines } from '../kubectl/classify.ts';
import { KubectlError } from '../kubectl/errors.ts';
import { redactText } from '../kubectl/redact.ts';
import { TaskError, reasonOf } from '../task/errors.ts';

export const EXIT = {
  ok: 0,
  taskFailed: 1,
  usage: 2,
  cluster: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Errors of the CLI's own making (bad flags, unreadable files). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** You called it wrong: a flag, a template, a variable, a transition from the wrong state. */
const USAGE_REASONS: ReadonlySet<string> = new Set([
  'UsageError',
  'RenderError',
  'ManifestError',
  'WorkflowError',
  'EnvParseError',
  'ExecutorEnvError',
  'WrongState',
  'UnsupportedTransition',
  'NotLaunched',
  'UserLookup',
  // A task found by id cannot be launched; an id that labels several Tasks needs task/NAME.
  'NoTemplate',
  'Ambiguous',
]);
/** The task itself failed. Everything else (every KubectlReason, TaskGone, OwnedElsewhere) is 3. */
const TASK_REASONS: ReadonlySet<string> = new Set(['TransitionFailed', 'TransitionTimeout', 'Terminated', 'AlreadyLaunched', 'NoStatus']);

/** The one mapping from a machine-readable reason to an exit code. */
export function exitCodeForReason(reason: string): ExitCode {
  if (USAGE_REASONS.has(reason)) return EXIT.usage;
  if (TASK_REASONS.has(reason)) return EXIT.taskFailed;
  return EXIT.cluster;
}

export function exitCodeFor(error: unknown): ExitCode {
  return exitCodeForReason(error instanceof UsageError ? 'UsageError' : reasonOf(error));
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
