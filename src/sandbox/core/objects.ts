/** Small helpers on stored objects shared by every stage: metadata access, timestamps, uids, equality. */
import { randomUUID } from 'node:crypto';
import type { JsonObject, JsonValue } from '../../json.ts';
import { isJsonObject } from '../../json.ts';

/** metadata of an object, created when missing. */
export function meta(obj: JsonObject): JsonObject {
  const m = obj['metadata'];
  if (isJsonObject(m)) return m;
  const fresh: JsonObject = {};
  obj['metadata'] = fresh;
  return fresh;
}

/** A string field's value, `fallback` when it is missing or not a string. */
export function str(v: JsonValue | undefined, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

/** The strings of a string-list field (other items dropped), [] when missing. */
export function strings(v: JsonValue | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** An object field's value, {} when it is missing or not an object. */
export function obj(v: JsonValue | undefined): JsonObject {
  return isJsonObject(v) ? v : {};
}

/** RFC 3339 with second precision, as Kubernetes timestamps are written. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newUid(): string {
  return randomUUID();
}

export function specChanged(before: JsonObject, after: JsonObject): boolean {
  const strip = (o: JsonObject): string => {
    const { metadata: _m, status: _s, ...rest } = o;
    return JSON.stringify(sortKeys(rest));
  };
  return strip(before) !== strip(after);
}

/** Deterministic serialization for equality checks that must ignore key order. */
export function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) {
    // Only serialized: a key whose value is undefined is left out either way.
    const x = v[k];
    if (x !== undefined) out[k] = sortKeys(x);
  }
  return out;
}

/** JSON text with every object's keys sorted: one string per value, whatever the key order. */
export function canonicalJson(v: JsonValue): string {
  return JSON.stringify(sortKeys(v));
}

export function sameObject(a: JsonObject, b: JsonObject): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
