/**
 * Typing of a value that replaces a WHOLE plain (unquoted, untagged) scalar, so that
 * `port: ${OCC_CONTROL_PORT}` yields an integer and `supplementalGroups: ${FLP_SUPPLEMENTAL_GROUPS}`
 * a list, as they would had the value been written there by hand.
 *
 * Safety wins over convenience: only finite numbers (integers within 2^53), booleans, null and flow sequences of those
 * (nested sequences allowed) are converted. Anything else — a string, a map (it would add keys),
 * a multi-line or multi-document value, anchors/aliases/tags, a parse error or warning — stays
 * the exact string given. A string result is the raw value, never YAML's unquoted reading of it.
 *
 * Values are read as kubectl reads a literal (YAML 1.1, kubectl-yaml.ts): `0644` is 420, `yes`
 * is true, so `mode: ${MODE}` with MODE=0644 means what `mode: 0644` written by hand means.
 */
import { type Document, isScalar, isSeq, parseDocument } from 'yaml';
import type { JsonValue } from '../json.ts';
import { KUBECTL_PARSE_OPTIONS } from './kubectl-yaml.ts';

export type TypedValue = { readonly kind: 'typed'; readonly value: JsonValue } | { readonly kind: 'string' };

export function typeWholeValue(raw: string): TypedValue {
  if (raw.trim() === '' || raw.includes('\n') || raw.includes('\r')) return { kind: 'string' };
  // Anchors, aliases and tags would let a value reshape the document or reach custom types.
  if (/[&*!]/.test(raw)) return { kind: 'string' };
  let doc: Document.Parsed;
  try {
    // No duplicate-key check (quadratic in the parser): a map never becomes a typed value anyway.
    doc = parseDocument(raw, { ...KUBECTL_PARSE_OPTIONS, prettyErrors: false, uniqueKeys: false });
  } catch {
    return { kind: 'string' };
  }
  if (doc.errors.length > 0 || doc.warnings.length > 0) return { kind: 'string' };
  const converted = convertNode(doc.contents);
  return converted === undefined ? { kind: 'string' } : { kind: 'typed', value: converted };
}

function convertNode(node: unknown): JsonValue | undefined {
  if (isScalar(node)) {
    const v = node.value;
    // Integers beyond 2^53 would silently lose digits: keep such values as the string given.
    if (typeof v === 'number') {
      // JSON has one zero: `-0` (also -0.0, -0x0, -.0e1) is what kubectl reads as 0, and what
      // JSON.stringify writes as 0; a -0 kept here would be a document kubectl never sees.
      if (Object.is(v, -0)) return 0;
      return Number.isFinite(v) && (!Number.isInteger(v) || Number.isSafeInteger(v)) ? v : undefined;
    }
    if (typeof v === 'boolean' || v === null) return v;
    return undefined;
  }
  if (isSeq(node) && node.flow === true) {
    const out: JsonValue[] = [];
    for (const item of node.items) {
      if (isScalar(item) && typeof item.value === 'string') {
        out.push(item.value);
        continue;
      }
      const converted = convertNode(item);
      if (converted === undefined) return undefined;
      out.push(converted);
    }
    return out;
  }
  return undefined;
}
