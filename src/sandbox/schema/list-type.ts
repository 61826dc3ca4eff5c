/**
 * The x-kubernetes-list-type invariants the apiserver checks after schema validation
 * (structurallisttype.ValidateListSetsAndMaps): no duplicate items in a `set`, no duplicate
 * key tuples in a `map`.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import type { JSONSchemaProps } from './validation.ts';
import { badValue, type FieldCause } from '../core/field.ts';
import { canonicalJson } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';

const duplicate = (field: string, value: JsonValue): FieldCause => ({
  reason: 'FieldValueDuplicate',
  message: `Duplicate value: ${badValue(value)}`,
  field,
});

function checkList(list: JsonValue[], s: JSONSchemaProps, path: string, out: FieldCause[]): void {
  const type = s['x-kubernetes-list-type'];
  const keys = Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'].filter((k): k is string => typeof k === 'string') : [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    let id: string | undefined;
    let shown: JsonValue = item;
    if (type === 'set') id = canonicalJson(item);
    else if (type === 'map' && keys.length > 0 && isJsonObject(item)) {
      const key: JsonObject = {};
      for (const k of keys) if (Object.hasOwn(item, k)) key[k] = item[k] ?? null;
      id = canonicalJson(key);
      shown = key;
    }
    if (id === undefined) return;
    if (seen.has(id)) out.push(duplicate(`${path}[${i}]`, shown));
    seen.add(id);
  });
}

export function validateListTypes(data: JsonValue, s: JSONSchemaProps | undefined, path: string, out: FieldCause[]): void {
  if (!s) return;
  if (Array.isArray(data)) {
    checkList(data, s, path, out);
    data.forEach((item, i) => {
      validateListTypes(item, s.items, `${path}[${i}]`, out);
    });
    return;
  }
  if (!isJsonObject(data)) return;
  for (const [k, v] of Object.entries(data)) {
    const sub = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    validateListTypes(v, sub, path === '' ? k : `${path}.${k}`, out);
  }
}
