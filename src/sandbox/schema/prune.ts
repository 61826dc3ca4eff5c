/**
 * Structural pruning (drop fields the schema does not know, reporting them for
 * fieldValidation=Strict) and structural defaulting, as apiextensions-apiserver does them.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import type { JSONSchemaProps } from './validation.ts';
import { isJsonObject } from '../../json.ts';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** ObjectMeta's JSON fields; anything else under metadata is unknown to the apiserver. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

const key = (path: string, k: string): string => (path === '' ? k : `${path}.${k}`);

function additional(s: JSONSchemaProps): JSONSchemaProps | 'any' | undefined {
  if (s.additionalProperties === true) return 'any';
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

function pruneMetadata(meta: JsonValue | undefined, path: string, unknown: string[]): void {
  if (!isJsonObject(meta)) return;
  for (const k of Object.keys(meta)) {
    if (OBJECT_META_FIELDS.has(k)) continue;
    unknown.push(key(path, k));
    delete meta[k];
  }
}

function prune(x: JsonValue, s: JSONSchemaProps | undefined, path: string, embedded: boolean, unknown: string[]): void {
  if (s?.['x-kubernetes-preserve-unknown-fields'] === true) {
    pruneKnown(x, s, path, unknown);
    return;
  }
  if (Array.isArray(x)) {
    x.forEach((item, i) => {
      prune(item, s?.items, `${path}[${i}]`, s?.items?.['x-kubernetes-embedded-resource'] === true, unknown);
    });
    return;
  }
  if (!isJsonObject(x)) return;
  for (const k of Object.keys(x)) {
    const v = x[k] ?? null;
    if (embedded && META_FIELDS.has(k)) {
      if (k === 'metadata') pruneMetadata(v, key(path, k), unknown);
      continue;
    }
    const prop = s?.properties?.[k];
    const extra = s ? additional(s) : undefined;
    if (prop) prune(v, prop, key(path, k), prop['x-kubernetes-embedded-resource'] === true, unknown);
    else if (extra === 'any') continue;
    else if (extra) prune(v, extra, key(path, k), extra['x-kubernetes-embedded-resource'] === true, unknown);
    else {
      unknown.push(key(path, k));
      delete x[k];
    }
  }
}

/** Under x-kubernetes-preserve-unknown-fields unknown fields stay, but known ones are still pruned inside. */
function pruneKnown(x: JsonValue, s: JSONSchemaProps, path: string, unknown: string[]): void {
  if (Array.isArray(x)) {
    x.forEach((item, i) => {
      if (s.items) prune(item, s.items, `${path}[${i}]`, s.items['x-kubernetes-embedded-resource'] === true, unknown);
    });
    return;
  }
  if (!isJsonObject(x)) return;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  for (const [k, v] of Object.entries(x)) {
    if (embedded && META_FIELDS.has(k)) continue;
    const prop = s.properties?.[k];
    const extra = additional(s);
    if (prop) prune(v, prop, key(path, k), prop['x-kubernetes-embedded-resource'] === true, unknown);
    else if (extra && extra !== 'any') prune(v, extra, key(path, k), false, unknown);
  }
}

/**
 * Drops what the schema does not declare. `unknownFields` holds the dropped paths as the apiserver
 * names them, sorted: `spec.foo`, `spec.bind[0].bar`, `metadata.bogus`; strictDecodingMessage()
 * turns them into the fieldValidation=Strict error text.
 */
export function pruneUnknownFields(obj: JsonObject, schema: JSONSchemaProps): { pruned: JsonObject; unknownFields: string[] } {
  const pruned = structuredClone(obj);
  const paths: string[] = [];
  prune(pruned, schema, '', true, paths);
  paths.sort();
  return { pruned, unknownFields: paths };
}

const isNonNullableNull = (v: JsonValue | undefined, s: JSONSchemaProps | undefined): boolean => v === null && s !== undefined && s.nullable !== true;

/** Removes nulls the schema does not allow and has no default for (the apiserver does this before defaulting). */
function dropDisallowedNulls(x: JsonValue, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    for (const item of x) dropDisallowedNulls(item, s.items);
    return;
  }
  if (!isJsonObject(x)) return;
  for (const [k, v] of Object.entries(x)) {
    const sub = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    if (isNonNullableNull(v, sub) && sub?.default === undefined) delete x[k];
    else dropDisallowedNulls(v, sub);
  }
}

function fillDefaults(x: JsonValue, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    x.forEach((item, i) => {
      if (isNonNullableNull(item, s.items) && s.items?.default !== undefined) x[i] = structuredClone(s.items.default);
      fillDefaults(x[i] ?? null, s.items);
    });
    return;
  }
  if (!isJsonObject(x)) return;
  for (const [k, prop] of Object.entries(s.properties ?? {})) {
    if (prop.default === undefined) continue;
    if (!Object.hasOwn(x, k) || isNonNullableNull(x[k], prop)) x[k] = structuredClone(prop.default);
  }
  const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const [k, v] of Object.entries(x)) {
    const prop = s.properties?.[k];
    if (prop) fillDefaults(v, prop);
    else if (extra) {
      if (isNonNullableNull(v, extra) && extra.default !== undefined) x[k] = structuredClone(extra.default);
      fillDefaults(x[k] ?? null, extra);
    }
  }
}

/** Applies the schema's `default`s (also inside defaulted values) to a copy of obj. */
export function applySchemaDefaults(obj: JsonObject, schema: JSONSchemaProps): JsonObject {
  const out = structuredClone(obj);
  dropDisallowedNulls(out, schema);
  fillDefaults(out, schema);
  return out;
}
