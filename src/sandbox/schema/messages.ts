/**
 * The apiserver's wording for schema violations: kube-openapi's "<path> in body ..." details,
 * wrapped the way k8s.io/apimachinery's field.Error renders them into a StatusCause.
 */
import type { JsonValue } from '../../json.ts';
import type { FieldCause } from './validation.ts';

/** Go's %v for a float64 (strconv 'g' shortest: exponent form below 1e-4 and from 1e6 on). */
export function goFloat(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 6) {
    const [mant, e] = v.toExponential().split('e');
    const n = Number(e);
    const digits = String(Math.abs(n)).padStart(2, '0');
    return `${mant}e${n < 0 ? '-' : '+'}${digits}`;
  }
  return String(v);
}

/** A JSON number as the apiserver decodes it: whole numbers are int64, others float64. */
export function goNumber(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? BigInt(v).toString() : goFloat(v);
}

/** Go's %q for a string (strconv.Quote). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's %#v of a decoded JSON value (map[string]interface {}{...}, []interface {}{...}). */
function goSyntax(v: JsonValue): string {
  if (v === null) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  const entries = Object.keys(v)
    .sort()
    .map((k) => `${goQuote(k)}:${goSyntax(v[k] ?? null)}`);
  return `map[string]interface {}{${entries.join(', ')}}`;
}

/** field.Error.ErrorBody's rendering of the bad value. */
export function badValue(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return goQuote('null');
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  return goSyntax(v);
}

export function required(field: string): FieldCause {
  return { reason: 'FieldValueRequired', message: 'Required value', field };
}

export function notSupported(field: string, value: JsonValue | undefined, allowed: JsonValue[]): FieldCause {
  const quoted = allowed.map((a) => goQuote(typeof a === 'string' ? a : JSON.stringify(a)));
  const detail = quoted.length > 0 ? `: supported values: ${quoted.join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${badValue(value)}${detail}`, field };
}

export function typeInvalid(field: string, value: JsonValue | undefined, detail: string): FieldCause {
  return { reason: 'FieldValueTypeInvalid', message: `Invalid value: ${badValue(value)}: ${detail}`, field };
}

export function invalid(field: string, value: JsonValue | undefined, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${badValue(value)}: ${detail}`, field };
}

export function tooLong(field: string, maxLength: number): FieldCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be longer than ${maxLength}`, field };
}

export function tooMany(field: string, actual: number, max: number): FieldCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
}

/** The "in body" sentence kube-openapi puts after the bad value; `path` is the dotted data path. */
export const detail = {
  type: (path: string, expected: string, actual: string): string =>
    `${path} in body must be of type ${expected}: ${goQuote(actual)}`,
  pattern: (path: string, pattern: string): string => `${path} in body should match '${pattern}'`,
  minLength: (path: string, n: number): string => `${path} in body should be at least ${n} chars long`,
  maxLength: (path: string, n: number): string => `${path} in body should be at most ${n} chars long`,
  /** `bound` is already rendered: as int64 for integer data, as float64 otherwise (see schema.ts). */
  minimum: (path: string, bound: string, exclusive: boolean): string =>
    `${path} in body should be greater than ${exclusive ? '' : 'or equal to '}${bound}`,
  maximum: (path: string, bound: string, exclusive: boolean): string =>
    `${path} in body should be less than ${exclusive ? '' : 'or equal to '}${bound}`,
  multipleOf: (path: string, factor: string): string => `${path} in body should be a multiple of ${factor}`,
  minItems: (path: string, n: number): string => `${path} in body should have at least ${n} items`,
  minProperties: (path: string, n: number): string => `${path} in body should have at least ${n} properties`,
  unique: (path: string): string => `${path} in body shouldn't contain duplicates`,
  forbiddenProperty: (path: string, key: string): string => `${path}.${key} in body is a forbidden property`,
  /** Not a *Validation: kube-openapi quotes the path here (%q). */
  anyOf: (path: string): string => `${goQuote(path)} must validate at least one schema (anyOf)`,
};

/** StrictDecodingError's text for the unknown field paths found while pruning. */
export function strictDecodingMessage(unknownFields: readonly string[]): string {
  return `strict decoding error: ${unknownFields.map((f) => `unknown field ${goQuote(f)}`).join(', ')}`;
}
