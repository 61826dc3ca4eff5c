/** The one error type of template rendering. Messages name files, lines and variable NAMES only. */
import { ReasonedError, guardOf } from '../errors.ts';

export interface MissingVariable {
  readonly name: string;
  readonly file: string;
  readonly line: number;
}

export class RenderError extends ReasonedError<'RenderError'> {
  override readonly name = 'RenderError';
  readonly file: string;
  /** Every variable that was referenced but unset (and had no default), in order of first use. */
  readonly missing: readonly MissingVariable[];

  constructor(args: { message: string; file: string; missing?: readonly MissingVariable[] }) {
    super('RenderError', args.message);
    this.file = args.file;
    this.missing = args.missing ?? [];
  }

  /**
   * `templates/readout.yaml: missing variables: O2_ROLE (line 12), FLP_UID (lines 20, 31); set
   * them with --env O2_ROLE=…, …`: the ways out are in the message because the usual cause is
   * a variable the process environment used to provide, or a `${…}` meant for the container.
   */
  static missingVariables(file: string, missing: readonly MissingVariable[]): RenderError {
    const byName = new Map<string, number[]>();
    for (const m of missing) {
      const lines = byName.get(m.name) ?? [];
      if (!lines.includes(m.line)) lines.push(m.line);
      byName.set(m.name, lines);
    }
    const parts = [...byName].map(([name, lines]) => `${name} (${lines.length === 1 ? 'line' : 'lines'} ${lines.join(', ')})`);
    const name = missing[0]?.name ?? 'NAME';
    const wayOut =
      `set ${byName.size === 1 ? 'it' : 'them'} with --env ${name}=…, give a default with \${${name}:-default}, ` +
      'write $$ for a literal $, or pass --allow-missing';
    return new RenderError({ message: `${file}: missing variables: ${parts.join(', ')}; ${wayOut}`, file, missing });
  }
}

export const isRenderError = guardOf(RenderError);
