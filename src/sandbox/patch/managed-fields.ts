/**
 * metadata.managedFields for Update operations (POST/PUT/PATCH other than server-side apply), the way
 * the apiserver's structured-merge-diff tracks them: the acting manager owns what it added or
 * changed, other managers lose changed fields, removed fields leave every set. Lists are atomic
 * except metadata.finalizers (a set of values). kubectl prints these in `-o json` watch output, so
 * they must match the real server's.
 */
import { isJsonObject } from '../../json.ts';
import type { JsonObject, JsonValue } from '../../json.ts';
import { SEP, STRIPPED_METADATA, fieldsToPaths, pathsToFields } from './apply-fields.ts';

export { fieldsToPaths, pathsToFields };

type Paths = Set<string>;

/** Every owned-able path of an object (maps as nodes, lists atomic), as SEP-joined `f:` keys. */
function pathsOf(obj: JsonObject): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  const walk = (value: JsonObject, prefix: string, isMetadata: boolean): void => {
    for (const [k, v] of Object.entries(value)) {
      if (isMetadata && STRIPPED_METADATA.has(k)) continue;
      const p = prefix === '' ? `f:${k}` : `${prefix}${SEP}f:${k}`;
      if (isMetadata && k === 'finalizers' && Array.isArray(v)) {
        out.set(p, null);
        for (const item of v) out.set(`${p}${SEP}v:${JSON.stringify(item)}`, item);
        continue;
      }
      if (isJsonObject(v) && Object.keys(v).length > 0) {
        out.set(p, null);
        walk(v, p, false);
      } else {
        out.set(p, v);
      }
    }
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata' && isJsonObject(v)) {
      walk(v, 'f:metadata', true);
      continue;
    }
    const p = `f:${k}`;
    if (isJsonObject(v) && Object.keys(v).length > 0) {
      out.set(p, null);
      walk(v, p, false);
    } else out.set(p, v);
  }
  return out;
}

function sameValue(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Paths added or changed, and paths removed, going from `before` to `after`. */
export function diffPaths(before: JsonObject, after: JsonObject): { touched: Paths; removed: Paths } {
  const a = pathsOf(before);
  const b = pathsOf(after);
  const touched: Paths = new Set();
  const removed: Paths = new Set();
  for (const [p, v] of b) {
    if (!a.has(p)) touched.add(p);
    else if (v !== null && !sameValue(a.get(p), v)) touched.add(p);
    else if (v === null && a.get(p) !== null) touched.add(p);
  }
  for (const p of a.keys()) if (!b.has(p)) removed.add(p);
  return { touched, removed };
}

export interface ManagedUpdate {
  before: JsonObject | null;
  after: JsonObject;
  manager: string;
  subresource?: string;
  apiVersion: string;
  time: string;
}

function entryKey(e: JsonObject): string {
  return `${String(e['manager'])}${SEP}${String(e['operation'])}${SEP}${String(e['subresource'] ?? '')}${SEP}${String(e['apiVersion'])}`;
}

/** Sort order of the apiserver: operation, time, manager, apiVersion, subresource. */
export function compareEntries(p: JsonObject, q: JsonObject): number {
  const keys = ['operation', 'time', 'manager', 'apiVersion', 'subresource'];
  for (const k of keys) {
    const a = String(p[k] ?? '');
    const b = String(q[k] ?? '');
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** The managedFields `after` should carry once `manager` turned `before` into `after`. */
export function updateManagedFields(u: ManagedUpdate): JsonValue[] {
  const beforeMeta = u.before !== null && isJsonObject(u.before['metadata']) ? u.before['metadata'] : {};
  const existing = Array.isArray(beforeMeta['managedFields']) ? beforeMeta['managedFields'].filter(isJsonObject) : [];
  const { touched, removed } = diffPaths(u.before ?? {}, u.after);
  const mine: JsonObject = {
    apiVersion: u.apiVersion,
    fieldsType: 'FieldsV1',
    fieldsV1: {},
    manager: u.manager,
    operation: 'Update',
  };
  if (u.subresource !== undefined && u.subresource !== '') mine['subresource'] = u.subresource;
  mine['time'] = u.time;
  const myKey = entryKey(mine);
  const result: JsonObject[] = [];
  let myPaths: Paths = new Set();
  for (const e of existing) {
    const paths = fieldsToPaths(e['fieldsV1']);
    if (entryKey(e) === myKey) {
      myPaths = paths;
      continue;
    }
    let changed = false;
    for (const p of [...touched, ...removed]) if (paths.delete(p)) changed = true;
    if (paths.size === 0) continue;
    result.push(changed ? { ...e, fieldsV1: pathsToFields(paths) } : e);
  }
  for (const p of touched) myPaths.add(p);
  for (const p of removed) myPaths.delete(p);
  if (myPaths.size > 0) result.push({ ...mine, fieldsV1: pathsToFields(myPaths) });
  return result.sort(compareEntries);
}
