/**
 * A loggable rendition of a rendered manifest (the original logged the expanded manifest, secrets
 * included, at info level — defect 9).
 *
 * Provenance is recovered from values rather than tracked through rendering: any scalar that
 * contains the (non-empty) value of a variable whose NAME looks secret is replaced as a whole.
 * This over-redacts rather than leaks. Additionally, Secret objects' data/stringData values and
 * container env entries whose name looks secret are always redacted.
 */
import { stringify } from 'yaml';
import type { JsonObject, JsonValue } from '../json.ts';
import { REDACTED, SECRET_NAME } from '../secret-policy.ts';

export interface RedactArgs {
  readonly documents: readonly JsonObject[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Which variable and env entry names are secret (default: the policy's SECRET_NAME). */
  readonly secretPattern?: RegExp;
}

export function redactForLog(args: RedactArgs): string {
  const pattern = nonGlobal(args.secretPattern ?? SECRET_NAME);
  const secrets = secretValues(args.env, pattern);
  return args.documents.map((doc) => stringify(redactDocument(doc, secrets, pattern), { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

/** A /g or /y pattern keeps state between test() calls; we never want that. */
function nonGlobal(pattern: RegExp): RegExp {
  return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
}

/**
 * The values a task must never print: those of its secret-named variables and those of its Secret
 * objects (stringData as written, data decoded from base64). For scrubbing free text that may
 * quote them, such as an API server's "Unsupported value: \"…\"" (see redactValues).
 */
export function secretValuesOf(args: RedactArgs): string[] {
  const pattern = nonGlobal(args.secretPattern ?? SECRET_NAME);
  const out = new Set(secretValues(args.env, pattern));
  for (const doc of args.documents) {
    if (doc['kind'] !== 'Secret') continue;
    for (const field of ['data', 'stringData'] as const) {
      const section = doc[field];
      if (section === null || typeof section !== 'object' || Array.isArray(section)) continue;
      for (const value of Object.values(section)) {
        if (typeof value !== 'string' || value === '') continue;
        out.add(field === 'data' ? Buffer.from(value, 'base64').toString('utf8') : value);
      }
    }
  }
  return [...out].filter((v) => v.length >= MIN_SCRUBBED_LENGTH);
}

/** Shorter values are left alone: scrubbing `1` or `on` would garble every message. */
const MIN_SCRUBBED_LENGTH = 4;

/** `text` with every occurrence of any of `values` replaced by `<redacted>` (longest first). */
export function redactValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    if (value !== '') out = out.split(value).join(REDACTED);
  }
  return out;
}

function secretValues(env: Readonly<Record<string, string | undefined>>, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '' && pattern.test(name)) out.push(value);
  }
  return out;
}

function redactDocument(doc: JsonObject, secrets: readonly string[], pattern: RegExp): JsonValue {
  const isSecret = doc['kind'] === 'Secret';
  const copy = redactValue(doc, secrets, pattern);
  if (isSecret && copy !== null && typeof copy === 'object' && !Array.isArray(copy)) {
    for (const field of ['data', 'stringData']) {
      const section = copy[field];
      if (section !== null && typeof section === 'object' && !Array.isArray(section)) {
        for (const k of Object.keys(section)) section[k] = REDACTED;
      }
    }
  }
  return copy;
}

function redactValue(value: JsonValue, secrets: readonly string[], pattern: RegExp): JsonValue {
  if (value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const text = String(value);
    return secrets.some((s) => text.includes(s)) ? REDACTED : value;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, pattern));
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets, pattern);
  // Container env entries: {name: DB_PASSWORD, value: …}
  if (typeof out['name'] === 'string' && 'value' in out && pattern.test(out['name'])) out['value'] = REDACTED;
  return out;
}
