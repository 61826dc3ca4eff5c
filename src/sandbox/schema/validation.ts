/**
 * Validation of a custom resource against its CRD's openAPIV3Schema, reporting causes with the
 * apiserver's paths, wording and order (kube-openapi's validators as converted by
 * apiextensions-apiserver). Pruning and defaulting live in prune.ts.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import * as field from '../core/field.ts';
import type { FieldCause } from '../core/field.ts';
import { goFloat, goNumber } from '../core/go-format.ts';
import { canonicalJson } from '../core/objects.ts';
import * as msg from './messages.ts';
import { validateListTypes } from './list-type.ts';
import { isJsonObject } from '../../json.ts';

export interface JSONSchemaProps {
  type?: string;
  properties?: Record<string, JSONSchemaProps>;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: JsonValue[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  additionalProperties?: JSONSchemaProps | boolean;
  nullable?: boolean;
  format?: string;
  default?: JsonValue;
  description?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  [k: string]: unknown;
}

type DataType = 'null' | 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

function dataType(v: JsonValue): DataType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v === 'string' ? 'string' : 'boolean';
}

/** The Go format kube-openapi infers for decoded data (used in format mismatch messages). */
function dataFormat(t: DataType): string {
  return t === 'integer' ? 'int64' : t === 'number' ? 'double' : '';
}

function schemaList(v: unknown): JSONSchemaProps[] {
  return Array.isArray(v) ? v.filter((s): s is JSONSchemaProps => typeof s === 'object' && s !== null) : [];
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

const child = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** Formats the apiserver checks when the schema names them; others are accepted as is. */
const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  ipv4: (s) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(s),
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
};

/**
 * The schema's types as kube-openapi sees them: x-kubernetes-int-or-string becomes the type list
 * [integer, string] (apiextensions ConvertJSONSchemaPropsWithPostProcess), reported joined by ",".
 */
function typesOf(s: JSONSchemaProps): string[] {
  if (s['x-kubernetes-int-or-string'] === true) return ['integer', 'string'];
  return s.type !== undefined && s.type !== '' ? [s.type] : [];
}

function checkType(data: JsonValue, s: JSONSchemaProps, path: string, out: FieldCause[]): void {
  const types = typesOf(s);
  const type = types.join(',');
  const format = s.format ?? '';
  if (type === '' && format === '') return;
  const t = dataType(data);
  if (t === 'null') {
    if (type !== '' && s.nullable !== true) out.push(field.typeInvalid(path, 'null', msg.detail.type(path, type, 'null')));
    return;
  }
  // An int64 satisfies "number"; whole floats are indistinguishable from ints once parsed in JS.
  const typeMatches = types.includes(t) || (types.includes('number') && t === 'integer');
  if (t !== 'string' && t !== 'array' && format !== '' && !typeMatches && dataFormat(t) !== format) {
    out.push(field.typeInvalid(path, dataFormat(t), msg.detail.type(path, format, dataFormat(t))));
    return;
  }
  if (!types.includes('number') && !types.includes('integer') && format !== '' && (t === 'string' || t === 'array')) return;
  if (type !== '' && !typeMatches) out.push(field.typeInvalid(path, t, msg.detail.type(path, type, t)));
}

function checkAnyOf(data: JsonValue, s: JSONSchemaProps, path: string, out: FieldCause[]): void {
  const branches = schemaList(s.anyOf);
  if (branches.length === 0) return;
  let firstFailure: FieldCause[] | undefined;
  for (const b of branches) {
    const r: FieldCause[] = [];
    validateNode(data, b, path, r);
    if (r.length === 0) return;
    firstFailure ??= r;
  }
  // Not a kube-openapi *Validation, so the apiserver files it under the nil root path.
  out.push({ reason: 'FieldValueInvalid', message: `Invalid value: "": ${msg.detail.anyOf(path)}`, field: '<nil>' });
  out.push(...(firstFailure ?? []));
}

function checkString(data: string, s: JSONSchemaProps, path: string, out: FieldCause[]): void {
  const length = [...data].length;
  if (s.maxLength !== undefined && length > s.maxLength) out.push(field.tooLong(path, s.maxLength));
  else if (s.minLength !== undefined && length < s.minLength) out.push(field.invalid(path, data, msg.detail.minLength(path, s.minLength)));
  else if (s.pattern !== undefined && !safeRegExp(s.pattern).test(data)) out.push(field.invalid(path, data, msg.detail.pattern(path, s.pattern)));
  const check = s.format !== undefined ? FORMATS[s.format] : undefined;
  if (check && !check(data)) out.push(field.typeInvalid(path, data, msg.detail.type(path, s.format ?? '', data)));
}

function safeRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return new RegExp(pattern);
  }
}

/**
 * kube-openapi compares integer data with the bounds truncated to int64 (and prints them so), and
 * float data with the float64 bounds.
 */
function checkNumber(data: number, s: JSONSchemaProps, path: string, out: FieldCause[]): void {
  const isInt = Number.isInteger(data);
  const bound = (b: number): number => (isInt ? Math.trunc(b) : b);
  const show = (b: number): string => (isInt ? goNumber(Math.trunc(b)) : goFloat(b));
  const multipleOf = typeof s.multipleOf === 'number' ? s.multipleOf : undefined;
  if (multipleOf !== undefined && bound(multipleOf) > 0 && !Number.isInteger(data / bound(multipleOf))) {
    out.push(field.invalid(path, data, msg.detail.multipleOf(path, show(multipleOf))));
  }
  if (s.maximum !== undefined) {
    const ex = s.exclusiveMaximum === true;
    const max = bound(s.maximum);
    if (ex ? data >= max : data > max) out.push(field.invalid(path, data, msg.detail.maximum(path, show(s.maximum), ex)));
  }
  if (s.minimum !== undefined) {
    const ex = s.exclusiveMinimum === true;
    const min = bound(s.minimum);
    if (ex ? data <= min : data < min) out.push(field.invalid(path, data, msg.detail.minimum(path, show(s.minimum), ex)));
  }
}

function checkArray(data: JsonValue[], s: JSONSchemaProps, path: string, out: FieldCause[]): void {
  const items = s.items;
  if (items) {
    data.forEach((item, i) => {
      validateNode(item, items, `${path}[${i}]`, out);
    });
  }
  if (s.minItems !== undefined && data.length < s.minItems) out.push(field.invalid(path, data.length, msg.detail.minItems(path, s.minItems)));
  if (s.maxItems !== undefined && data.length > s.maxItems) out.push(field.tooMany(path, data.length, s.maxItems));
  if (s.uniqueItems === true && new Set(data.map(canonicalJson)).size !== data.length) {
    out.push(field.invalid(path, '', msg.detail.unique(path)));
  }
}

function checkObject(data: JsonObject, s: JSONSchemaProps, path: string, out: FieldCause[]): void {
  const keys = Object.keys(data);
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    out.push(field.invalid(path, keys.length, msg.detail.minProperties(path, s.minProperties)));
    return;
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    out.push(field.tooMany(path, keys.length, s.maxProperties));
    return;
  }
  const props = s.properties ?? {};
  const extra = keys.filter((k) => !Object.hasOwn(props, k));
  if (s.additionalProperties === false) {
    for (const k of extra) out.push(field.invalid(path, k, msg.detail.forbiddenProperty(path, k)));
  } else if (typeof s.additionalProperties === 'object') {
    for (const k of extra) validateNode(data[k] ?? null, s.additionalProperties, child(path, k), out);
  }
  for (const [name, propSchema] of Object.entries(props)) {
    if (Object.hasOwn(data, name)) validateNode(data[name] ?? null, propSchema, child(path, name), out);
  }
  for (const name of s.required ?? []) {
    if (!Object.hasOwn(data, name)) out.push(field.required(child(path, name)));
  }
}

function validateNode(data: JsonValue, s: JSONSchemaProps, path: string, out: FieldCause[]): void {
  if (data === null) {
    checkType(data, s, path, out);
    if (s.enum && s.enum.length > 0) out.push(field.notSupported(path, data, s.enum));
    return;
  }
  checkType(data, s, path, out);
  for (const sub of schemaList(s.allOf)) validateNode(data, sub, path, out);
  checkAnyOf(data, s, path, out);
  if (typeof data === 'string') checkString(data, s, path, out);
  if (typeof data === 'number') checkNumber(data, s, path, out);
  if (Array.isArray(data)) checkArray(data, s, path, out);
  if (s.enum && s.enum.length > 0 && !s.enum.some((e) => deepEqual(e, data))) out.push(field.notSupported(path, data, s.enum));
  if (isJsonObject(data)) checkObject(data, s, path, out);
}

/**
 * Every violation of `schema` in `obj`, as the apiserver lists them in a 422's details.causes:
 * schema errors first, then x-kubernetes-list-type duplicates. (ObjectMeta checks such as the
 * name format are the caller's.)
 */
export function validateAgainstSchema(obj: JsonValue, schema: JSONSchemaProps): FieldCause[] {
  const out: FieldCause[] = [];
  validateNode(obj, schema, '', out);
  validateListTypes(obj, schema, '', out);
  return out;
}
