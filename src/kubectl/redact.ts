/**
 * Secret scrubbing for argv and free text. Every argv that reaches a result, a log line or an
 * error message passes through here first, so a bearer token never leaves the process, and neither
 * does a CONFIGURE argument such as `password=hunter2` carried in a `-p` patch a caller hands to
 * run() (our own patches go through `--patch-file`, out of argv) or in a `--from-literal`.
 * stdin (manifests) is never logged, so it is not scrubbed.
 */
import type { JsonValue } from '../json.ts';
import { isJsonObject, parseJson } from '../json.ts';
import { REDACTED, SECRET_NAME, SECRET_WORDS } from '../secret-policy.ts';

/** Flags whose whole value is a secret, in both `--flag=value` and `--flag value` forms. */
const SECRET_FLAGS: readonly string[] = ['--token', '--password', '--client-key-data', '--token-file-data'];
const PATCH_FLAGS: readonly string[] = ['-p', '--patch'];
const LITERAL_FLAGS: readonly string[] = ['--from-literal'];

/** What the previous argument announced about the next one. */
type Pending = 'none' | 'secret' | 'patch' | 'literal';

function pendingAfter(flag: string): Pending {
  if (SECRET_FLAGS.includes(flag)) return 'secret';
  if (PATCH_FLAGS.includes(flag)) return 'patch';
  if (LITERAL_FLAGS.includes(flag)) return 'literal';
  return 'none';
}

function redactValue(kind: Exclude<Pending, 'none'>, value: string): string {
  if (kind === 'secret') return REDACTED;
  return kind === 'patch' ? redactPatch(value) : redactLiteral(value);
}

/** argv with secret values replaced by `<redacted>`. The input is not modified; applying it twice changes nothing. */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let pending: Pending = 'none';
  for (const arg of argv) {
    if (pending !== 'none') {
      out.push(redactValue(pending, arg));
      pending = 'none';
      continue;
    }
    const eq = arg.indexOf('=');
    const flagPart = eq > 0 ? arg.slice(0, eq) : arg;
    const kind = pendingAfter(flagPart);
    if (eq > 0 && kind !== 'none') {
      out.push(`${flagPart}=${redactValue(kind, arg.slice(eq + 1))}`);
    } else if (arg.startsWith('-p') && !arg.startsWith('--') && arg.length > 2 && eq < 0) {
      // pflag's attached short form: -p'{"a":1}'
      out.push(`-p${redactPatch(arg.slice(2))}`);
    } else {
      out.push(arg);
      pending = kind;
    }
  }
  return out;
}

/**
 * A `-p` value with the values of secret keys (and of JSON-patch ops whose path ends in one)
 * replaced. Anything that is not JSON but mentions a secret-looking key is replaced as a whole.
 */
export function redactPatch(text: string): string {
  const parsed = parseJson(text);
  if (parsed === undefined) return SECRET_NAME.test(text) ? REDACTED : text;
  const redacted = redactJson(parsed);
  return redacted.changed ? JSON.stringify(redacted.value) : text;
}

interface Redacted {
  readonly value: JsonValue;
  readonly changed: boolean;
}

function lastPointerSegment(path: string): string {
  const segment = path.slice(path.lastIndexOf('/') + 1);
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function redactJson(value: JsonValue): Redacted {
  if (Array.isArray(value)) {
    const items = value.map(redactJson);
    return { value: items.map((item) => item.value), changed: items.some((item) => item.changed) };
  }
  if (!isJsonObject(value)) return { value, changed: false };
  const path = value['path'];
  const secretOp = typeof value['op'] === 'string' && typeof path === 'string' && SECRET_NAME.test(lastPointerSegment(path));
  let changed = false;
  const out: Record<string, JsonValue> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_NAME.test(key) || (secretOp && key === 'value')) {
      out[key] = REDACTED;
      changed ||= inner !== REDACTED;
    } else {
      const redacted = redactJson(inner);
      out[key] = redacted.value;
      changed ||= redacted.changed;
    }
  }
  return { value: out, changed };
}

/** `K=V` of --from-literal: V replaced when K looks like a secret. */
function redactLiteral(text: string): string {
  const eq = text.indexOf('=');
  if (eq < 0) return text;
  return SECRET_NAME.test(text.slice(0, eq)) ? `${text.slice(0, eq)}=${REDACTED}` : text;
}

/**
 * `"…password…": value` in text, also inside a quoted string (`\"password\":\"x\"`): kubectl echoes a
 * patch it cannot parse, and server messages may quote a body.
 */
const JSON_SECRET_PAIR = new RegExp(`(\\\\?"[^"\\\\]*(?:${SECRET_WORDS})[^"\\\\]*\\\\?"\\s*:\\s*)(\\\\?"(?:[^"\\\\]|\\\\[^"])*\\\\?"|[^,}\\]\\s]+)`, 'gi');

/** `--from-literal=db-password=…` (or `--from-literal db-password=…`) in text: the value after the key. */
const SECRET_LITERAL_FLAG = new RegExp(`(--from-literal(?:=|\\s+)[^=\\s]*(?:${SECRET_WORDS})[^=\\s]*=)\\S+`, 'gi');

/**
 * Free text (stderr, messages) with secret flag values, bearer tokens and the values of secret
 * JSON keys scrubbed. kubectl echoes flags back in some usage errors, and `-v=8` logs print
 * `Authorization: Bearer …`.
 */
export function redactText(text: string): string {
  let out = text;
  for (const flag of [...SECRET_FLAGS]) {
    const escaped = flag.replace(/[-]/g, '\\-');
    out = out.replace(new RegExp(`${escaped}(=|\\s+)(\\S+)`, 'g'), `${flag}$1${REDACTED}`);
  }
  out = out.replace(SECRET_LITERAL_FLAG, `$1${REDACTED}`);
  out = out.replace(JSON_SECRET_PAIR, (_match, key: string, value: string) => `${key}${value.startsWith('\\"') ? `\\"${REDACTED}\\"` : `"${REDACTED}"`}`);
  return out.replace(/(Authorization:\s*Bearer\s+)\S+/gi, `$1${REDACTED}`);
}
