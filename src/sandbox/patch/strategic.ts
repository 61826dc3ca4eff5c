/**
 * Strategic merge patch (k8s.io/apimachinery strategicpatch) for the built-in kinds: lists merged
 * by key, and the directives kubectl's client-side apply sends: `$patch: replace|delete|merge`,
 * `$retainKeys`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import type { FieldMeta, ListMeta } from './strategic-meta.ts';
import { isJsonObject } from '../../json.ts';
import { goFormatValue, goTypeName } from '../core/go-json.ts';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVES = '$deleteFromPrimitiveList/';

/**
 * A patch strategicpatch refuses, with the status the apiserver answers (interpretStrategicMergePatchError):
 * the mergepatch format errors are 400s, the others reach the client unconverted (500, no reason).
 */
export class StrategicPatchError extends Error {
  override name = 'StrategicPatchError';
  constructor(
    message: string,
    readonly code: 400 | 500 = 500,
  ) {
    super(message);
  }
}

/** mergepatch.ErrNoMergeKey. */
const noMergeKey = (item: JsonObject, mergeKey: string): StrategicPatchError =>
  new StrategicPatchError(`map: ${goFormatValue(item)} does not contain declared merge key: ${mergeKey}`);
/** mergepatch.ErrBadPatchType. */
const badPatchType = (directive: JsonValue | undefined, m: JsonObject): StrategicPatchError =>
  new StrategicPatchError(`unknown patch type: ${goFormatValue(directive)} in map: ${goFormatValue(m)}`);
const BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';

const same = (a: JsonValue | undefined, b: JsonValue | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A value taken from the patch as is: directives and nulls have no meaning without an original. */
function clean(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.filter((i) => !(isJsonObject(i) && i[PATCH] !== undefined)).map(clean);
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) {
    if (k.startsWith('$') || val === null) continue;
    out[k] = clean(val);
  }
  return out;
}

function keyOf(item: JsonValue, mergeKey: string): string | undefined {
  return isJsonObject(item) && Object.hasOwn(item, mergeKey) ? JSON.stringify(item[mergeKey]) : undefined;
}

function mergeList(original: JsonValue[], patch: JsonValue[], meta: ListMeta | undefined): JsonValue[] {
  if (!meta) return clean(patch) as JsonValue[];
  const mergeKey = meta.mergeKey;
  if (mergeKey === undefined) {
    const out = [...original];
    for (const v of patch) if (!out.some((o) => same(o, v))) out.push(v);
    return out;
  }
  // mergeSliceWithSpecialElements: the $patch items first, in order.
  for (const p of patch) {
    if (!isJsonObject(p) || p[PATCH] === undefined) continue;
    const directive = p[PATCH];
    if (directive === 'delete') {
      if (keyOf(p, mergeKey) === undefined) throw noMergeKey(p, mergeKey);
    } else if (directive === 'merge') throw new StrategicPatchError('merging lists cannot yet be specified in the patch');
    else if (directive !== 'replace') throw badPatchType(directive, p);
  }
  if (patch.some((p) => isJsonObject(p) && p[PATCH] === 'replace')) {
    return patch.filter((p) => !(isJsonObject(p) && p[PATCH] !== undefined)).map(clean);
  }
  const out = original.map((o) => o);
  for (const p of patch) {
    if (isJsonObject(p) && p[PATCH] === 'delete') {
      const key = keyOf(p, mergeKey);
      for (let at = out.findIndex((o) => keyOf(o, mergeKey) === key); at >= 0; at = out.findIndex((o) => keyOf(o, mergeKey) === key)) out.splice(at, 1);
    }
  }
  for (const p of patch) {
    if (isJsonObject(p) && p[PATCH] !== undefined) continue;
    const key = keyOf(p, mergeKey);
    if (key === undefined) throw noMergeKey(isJsonObject(p) ? p : {}, mergeKey);
    const at = out.findIndex((o) => keyOf(o, mergeKey) === key);
    if (at >= 0) {
      const current = out[at];
      out[at] = isJsonObject(current) && isJsonObject(p) ? mergeMap(current, p, meta.item) : clean(p);
    } else out.push(clean(p));
  }
  return out;
}

/**
 * normalizeElementOrder + mergeSortedSlice: items named by $setElementOrder in that order, the
 * server-only ones in their old order, interleaved by their positions in the original list.
 */
function orderList(list: JsonValue[], order: JsonValue[], original: JsonValue[], mergeKey: string | undefined): JsonValue[] {
  const id = (v: JsonValue | undefined): string => (mergeKey !== undefined && isJsonObject(v) ? JSON.stringify(v[mergeKey]) : JSON.stringify(v));
  const orderIds = order.map(id);
  const serverIds = original.map(id);
  const byIndex = (ids: string[]) => (a: JsonValue, b: JsonValue) => ids.indexOf(id(a)) - ids.indexOf(id(b));
  const patched = list.filter((v) => orderIds.includes(id(v))).sort(byIndex(orderIds));
  const serverOnly = list.filter((v) => !orderIds.includes(id(v))).sort(byIndex(serverIds));
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patched.length) {
    const left = serverOnly[i];
    const right = patched[j];
    if (right === undefined) out.push(serverOnly[i++] as JsonValue);
    else if (left === undefined) out.push(patched[j++] as JsonValue);
    else {
      const li = serverIds.indexOf(id(left));
      const ri = serverIds.indexOf(id(right));
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++] as JsonValue);
      else out.push(patched[j++] as JsonValue);
    }
  }
  return out;
}

export function mergeMap(original: JsonObject, patch: JsonObject, meta: FieldMeta | undefined): JsonObject {
  // handleDirectiveInMergeMap: only replace and delete are directives of a map.
  const directive = patch[PATCH];
  if (directive === 'replace') return clean(patch) as JsonObject;
  if (directive !== undefined && directive !== 'delete') throw badPatchType(directive, patch);
  const out: JsonObject = { ...original };
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    // applyRetainKeysDirective: a list, naming every key the patch sets.
    if (!Array.isArray(retain)) throw new StrategicPatchError(BAD_RETAIN_KEYS, 400);
    for (const [k, v] of Object.entries(patch)) {
      if (k === RETAIN_KEYS || v === null || k.startsWith(DELETE_PRIMITIVES) || k.startsWith(SET_ORDER)) continue;
      if (!retain.includes(k)) throw new StrategicPatchError(BAD_RETAIN_KEYS, 400);
    }
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(SET_ORDER) && !Array.isArray(v)) throw new StrategicPatchError(`expected a []interface {}, but received a ${goTypeName(v)}`);
  }
  const orders: [string, JsonValue[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === PATCH || k === RETAIN_KEYS) continue;
    if (k.startsWith(SET_ORDER)) {
      if (Array.isArray(v)) orders.push([k.slice(SET_ORDER.length), v]);
      continue;
    }
    if (k.startsWith(DELETE_PRIMITIVES)) {
      const field = k.slice(DELETE_PRIMITIVES.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(v)) out[field] = current.filter((c) => !v.some((d) => same(c, d)));
      continue;
    }
    const sub = meta?.fields?.[k];
    const current = out[k];
    if (v === null) delete out[k];
    else if (isJsonObject(v) && v[PATCH] === 'delete') delete out[k];
    else if (isJsonObject(v) && isJsonObject(current)) out[k] = mergeMap(current, v, sub);
    else if (Array.isArray(v) && Array.isArray(current)) out[k] = mergeList(current, v, sub?.list);
    else out[k] = clean(v);
  }
  for (const [field, order] of orders) {
    const list = out[field];
    const originalList = original[field];
    if (Array.isArray(list)) out[field] = orderList(list, order, Array.isArray(originalList) ? originalList : [], meta?.fields?.[field]?.list?.mergeKey);
  }
  return out;
}
