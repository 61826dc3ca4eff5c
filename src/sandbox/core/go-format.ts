/** Go's fmt verbs for the values the apiserver prints: %v of a float64 or a decoded JSON number, %q, %#v. */
import type { JsonValue } from '../../json.ts';

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
export function goSyntax(v: JsonValue): string {
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
