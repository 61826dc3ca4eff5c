/**
 * Secret scrubbing for argv and free text. Every argv that reaches a result, a log line or an
 * error message passes through here first, so a bearer token never leaves the process.
 */

export const REDACTED = '<redacted>';

/** Flags whose value is a secret, in both `--flag=value` and `--flag value` forms. */
const SECRET_FLAGS: readonly string[] = ['--token', '--password', '--client-key-data', '--token-file-data'];

function isSecretFlag(arg: string): boolean {
  return SECRET_FLAGS.includes(arg);
}

function secretFlagWithValue(arg: string): string | undefined {
  const eq = arg.indexOf('=');
  if (eq <= 0) return undefined;
  const flag = arg.slice(0, eq);
  return isSecretFlag(flag) ? flag : undefined;
}

/** argv with every secret flag value replaced by `<redacted>`. The input is not modified. */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let nextIsSecret = false;
  for (const arg of argv) {
    if (nextIsSecret) {
      out.push(REDACTED);
      nextIsSecret = false;
      continue;
    }
    const flag = secretFlagWithValue(arg);
    if (flag !== undefined) {
      out.push(`${flag}=${REDACTED}`);
    } else {
      out.push(arg);
      nextIsSecret = isSecretFlag(arg);
    }
  }
  return out;
}

/**
 * Free text (stderr, messages) with secret flag values and bearer tokens scrubbed. kubectl echoes
 * flags back in some usage errors, and `-v=8` logs print `Authorization: Bearer …`.
 */
export function redactText(text: string): string {
  let out = text;
  for (const flag of SECRET_FLAGS) {
    const escaped = flag.replace(/[-]/g, '\\-');
    out = out.replace(new RegExp(`${escaped}(=|\\s+)(\\S+)`, 'g'), `${flag}$1${REDACTED}`);
  }
  return out.replace(/(Authorization:\s*Bearer\s+)\S+/gi, `$1${REDACTED}`);
}
