/** The shape every CLI command has: kubectl's complete → validate → run, behind one entry. */
import type { Out } from './printers.ts';

export interface CommandIo {
  readonly out: Out;
  /** Aborted on SIGINT/SIGTERM: long-running commands end cleanly. */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: string[], io: CommandIo): Promise<number>;
}
