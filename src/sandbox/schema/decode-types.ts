/**
 * The apiserver decodes built-in kinds into Go structs; a JSON value of the wrong type fails that
 * decoding with encoding/json's UnmarshalTypeError, worded as
 * `json: cannot unmarshal number into Go struct field ConfigMap.data of type string`, and a
 * `[]byte` field (Secret.data) that is no base64 with `illegal base64 data at input byte 4`.
 * This finds the first such error against a schema from builtin.ts.
 */
import type { JsonValue } from '../../json.ts';
import { isJsonObject } from '../../json.ts';
import type { JSONSchemaProps } from './validation.ts';
import { corruptBase64Offset } from '../core/go-base64.ts';
import { goFloat } from '../core/go-format.ts';

interface Where {
  /** The Go struct whose field is being decoded. */
  struct: string;
  /** JSON field names from the root, dotted; map keys and list indexes are not part of it. */
  path: string;
}

const INT64_RANGE: [number, number] = [-(2 ** 63), 2 ** 63 - 1];
const INT_RANGES: Record<string, [number, number]> = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: INT64_RANGE };

/** How encoding/json names the JSON value it could not store. */
function jsonKind(v: JsonValue): string {
  if (Array.isArray(v)) return 'array';
  if (isJsonObject(v)) return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'number' ? 'number' : 'string';
}

function mismatch(v: JsonValue, s: JSONSchemaProps): string | undefined {
  const goType = String(s['x-go-type'] ?? '');
  switch (s.type) {
    case 'object':
      return isJsonObject(v) ? undefined : jsonKind(v);
    case 'array':
      return Array.isArray(v) ? undefined : jsonKind(v);
    case 'string':
      return typeof v === 'string' ? undefined : jsonKind(v);
    case 'boolean':
      return typeof v === 'boolean' ? undefined : jsonKind(v);
    case 'integer': {
      if (typeof v !== 'number') return jsonKind(v);
      const [min, max] = INT_RANGES[goType] ?? INT64_RANGE;
      return Number.isInteger(v) && v >= min && v <= max ? undefined : `number ${goFloat(v)}`;
    }
    default:
      return undefined;
  }
}

function walk(v: JsonValue, s: JSONSchemaProps, at: Where): string | undefined {
  if (v === null) return undefined;
  const wrong = mismatch(v, s);
  if (wrong !== undefined) {
    return `json: cannot unmarshal ${wrong} into Go struct field ${at.struct}.${at.path} of type ${String(s['x-go-type'] ?? 'interface {}')}`;
  }
  if (typeof v === 'string' && s['x-go-type'] === '[]uint8') {
    // A []byte field takes base64; the decoder's error is base64's own, without a field name.
    const offset = corruptBase64Offset(v);
    if (offset !== undefined) return `illegal base64 data at input byte ${offset}`;
  }
  if (Array.isArray(v)) {
    const items = s.items;
    if (items === undefined) return undefined;
    for (const item of v) {
      const e = walk(item, items, at);
      if (e !== undefined) return e;
    }
    return undefined;
  }
  if (!isJsonObject(v)) return undefined;
  const struct = typeof s['x-go-struct'] === 'string' ? s['x-go-struct'] : undefined;
  for (const [k, child] of Object.entries(v)) {
    const prop = s.properties?.[k];
    if (prop !== undefined && struct !== undefined) {
      const e = walk(child, prop, { struct, path: at.path === '' ? k : `${at.path}.${k}` });
      if (e !== undefined) return e;
    } else if (typeof s.additionalProperties === 'object') {
      const e = walk(child, s.additionalProperties, at);
      if (e !== undefined) return e;
    }
  }
  return undefined;
}

/** The decoder's error text for the first value of the wrong type in `obj`, if any. */
export function decodeTypeError(obj: JsonValue, schema: JSONSchemaProps): string | undefined {
  return walk(obj, schema, { struct: String(schema['x-go-struct'] ?? ''), path: '' });
}
