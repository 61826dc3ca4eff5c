/**
 * Exit codes (documented in the README). A scheduler wrapping the CLI can tell "the task failed"
 * from "you called me wrong" from "the cluster or kubectl is in trouble".
 */
import { KubectlError } from '../kubectl/errors.ts';
import { TaskError } from '../task/errors.ts';

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

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof KubectlError) return EXIT.cluster;
  if (error instanceof TaskError) {
    return error.reason === 'WrongState' || error.reason === 'UnsupportedTransition' || error.reason === 'NotLaunched' || error.reason === 'UserLookup'
      ? EXIT.usage
      : error.reason === 'TaskGone'
        ? EXIT.cluster
        : EXIT.taskFailed;
  }
  if (error instanceof Error && 'code' in error && (error.code === 'RenderError' || error.code === 'ManifestError' || error.code === 'WorkflowError' || error.code === 'EnvParseError' || error.code === 'ExecutorEnvError')) {
    return EXIT.usage;
  }
  return EXIT.cluster;
}

/**
 * One line for stderr: what failed and why. kubectl's own stderr follows only for the lines the
 * diagnosis does not already carry (warnings, extra causes), so nothing is said twice.
 */
export function diagnose(error: unknown): string {
  if (error instanceof KubectlError) {
    const extra = (error.result?.stderr ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !error.message.includes(line.replace(/^(Error from server \(\w+\): |error: |\* )/, '')));
    return [`error: ${error.message} [${error.reason}]`, ...extra.map((line) => `  ${line}`)].join('\n');
  }
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}
