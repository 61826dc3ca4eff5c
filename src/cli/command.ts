/**
 * The shape every CLI command has, kubectl's pkg/cmd pattern: a command makes a fresh options
 * object per invocation, and runCommand takes it through complete → validate → run.
 *
 * - complete(argv): reads the command line into typed fields (flags.ts) and what they name
 *   (env files, a workflow); a malformed value fails here.
 * - validate(): checks the fields together (flags that exclude each other, positionals); nothing
 *   has touched a cluster yet.
 * - run(io): does the work and answers an exit code; output goes through printers.ts.
 */
import type { ExitCode } from './exit-codes.ts';
import type { Out } from './printers.ts';

export interface CommandIo {
  readonly out: Out;
  /** Aborted on SIGINT/SIGTERM: long-running commands end cleanly. */
  readonly signal: AbortSignal;
}

export interface CommandOptions {
  complete(argv: readonly string[]): void | Promise<void>;
  validate(): void;
  run(io: CommandIo): Promise<ExitCode>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** The options object of one invocation. */
  newOptions(): CommandOptions;
}

export async function runCommand(command: Command, argv: readonly string[], io: CommandIo): Promise<ExitCode> {
  const options = command.newOptions();
  await options.complete(argv);
  options.validate();
  return options.run(io);
}
