/**
 * Server-side apply (PATCH application/apply-patch+yaml), after structured-merge-diff: the applier
 * owns exactly the fields it sends; a field another manager owns with a different value is a
 * conflict unless forced; fields it applied before and omits now are removed unless someone else
 * owns them. Lists merge by key for the built-in kinds (see strategic-meta.ts), else atomic.
 */
import { isJsonObject } from '../../json.ts';
import type { JsonObject, JsonValue } from '../../json.ts';
import { STRATEGIC_KINDS, type FieldMeta } from './strategic-meta.ts';
import { fieldsToPaths, keyToken, leavesOf, pathString, pathsToFields, removePath, SEP } from './apply-fields.ts';
import { compareEntries } from './managed-fields.ts';

export interface ApplyConflict {
  /** `"kubectl-client-side-apply" using v1` — the manager as the apiserver prints it. */
  manager: string;
  /** `.spec.state` */
  field: string;
}

function same(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function dropNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) if (val !== null) out[k] = dropNulls(val);
  return out;
}

function merge(live: JsonValue | undefined, applied: JsonValue, meta: FieldMeta | undefined): JsonValue {
  if (isJsonObject(applied) && isJsonObject(live)) {
    const out: JsonObject = { ...live };
    for (const [k, v] of Object.entries(applied)) out[k] = merge(live[k], v, meta?.fields?.[k]);
    return out;
  }
  const mergeKey = meta?.list?.mergeKey;
  if (Array.isArray(applied) && Array.isArray(live) && meta?.list) {
    const out = [...live];
    for (const item of applied) {
      const at = out.findIndex((o) =>
        mergeKey !== undefined && isJsonObject(o) && isJsonObject(item) ? keyToken(o, mergeKey) === keyToken(item, mergeKey) : same(o, item),
      );
      if (at < 0) out.push(item);
      else out[at] = merge(out[at], item, meta.list.item);
    }
    return out;
  }
  return structuredClone(applied);
}

/** printManager(): Update managers are named with their apiVersion, Apply managers alone. */
function describeManager(entry: JsonObject): string {
  let s = JSON.stringify(String(entry['manager'] ?? ''));
  if (typeof entry['subresource'] === 'string' && entry['subresource'] !== '') s += ` with subresource ${JSON.stringify(entry['subresource'])}`;
  return entry['operation'] === 'Update' ? `${s} using ${String(entry['apiVersion'] ?? '')}` : s;
}

/** The 409 message for apply conflicts, e.g. `Apply failed with 1 conflict: conflict with "m" using v1: .data.a`. */
export function applyConflictMessage(conflicts: ApplyConflict[]): string {
  const first = conflicts[0];
  if (conflicts.length === 1 && first) return `Apply failed with 1 conflict: conflict with ${first.manager}: ${first.field}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.field]);
  const lines: string[] = [];
  for (const m of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${m}:`);
    for (const f of byManager.get(m) ?? []) lines.push(`- ${f}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** details.causes of that 409 (reason Conflict). */
export function applyConflictCauses(conflicts: ApplyConflict[]): JsonObject[] {
  return conflicts.map((c) => ({ type: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.field }));
}

const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function applyServerSideApply(args: { live: JsonObject | null; applied: JsonObject; manager: string; force: boolean; now: Date }): {
  object: JsonObject;
  conflicts: string[];
  conflictDetails: ApplyConflict[];
} {
  const applied = dropNulls(structuredClone(args.applied)) as JsonObject;
  const appliedMeta = isJsonObject(applied['metadata']) ? applied['metadata'] : {};
  delete appliedMeta['managedFields'];
  const kind = typeof applied['kind'] === 'string' ? applied['kind'] : '';
  const meta = STRATEGIC_KINDS[kind];
  const apiVersion = typeof applied['apiVersion'] === 'string' ? applied['apiVersion'] : '';
  const live = args.live ? structuredClone(args.live) : null;
  const liveMeta = live && isJsonObject(live['metadata']) ? live['metadata'] : {};
  const entries = (Array.isArray(liveMeta['managedFields']) ? liveMeta['managedFields'] : []).filter(isJsonObject);
  const isMine = (e: JsonObject): boolean => e['manager'] === args.manager && e['operation'] === 'Apply' && (e['subresource'] ?? '') === '';
  const mine = entries.find(isMine);
  const others = entries.filter((e) => !isMine(e)).map((e) => ({ entry: e, paths: fieldsToPaths(e['fieldsV1']) }));

  const appliedLeaves = leavesOf(applied, meta);
  const liveLeaves = live ? leavesOf(live, meta) : new Map<string, JsonValue>();
  const conflictDetails: ApplyConflict[] = [];
  const conflicting = new Set<string>();
  for (const [path, value] of appliedLeaves) {
    if (!liveLeaves.has(path) || same(liveLeaves.get(path), value)) continue;
    for (const o of others) {
      if (!o.paths.has(path)) continue;
      conflicting.add(path);
      conflictDetails.push({ manager: describeManager(o.entry), field: pathString(path) });
    }
  }
  if (conflictDetails.length > 0 && !args.force) {
    const conflicts = conflictDetails.map((c) => `conflict with ${c.manager}: ${c.field}`);
    return { object: args.live ?? args.applied, conflicts, conflictDetails };
  }

  const object = merge(live ?? {}, applied, meta) as JsonObject;
  const previous = mine ? fieldsToPaths(mine['fieldsV1']) : new Set<string>();
  const ownedByOthers = (p: string): boolean => others.some((o) => o.paths.has(p));
  // A node that still holds owned fields stays (structured-merge-diff adds back the parents of
  // owned fields): applying just `spec.state` after owning `spec` keeps `spec` with `state`.
  const below = (p: string, paths: Iterable<string>): boolean => {
    for (const q of paths) if (q.startsWith(`${p}${SEP}`)) return true;
    return false;
  };
  const holdsOwned = (p: string): boolean => below(p, appliedLeaves.keys()) || others.some((o) => below(p, o.paths));
  for (const p of [...previous]
    .filter((x) => !appliedLeaves.has(x))
    .sort()
    .reverse()) {
    if (!ownedByOthers(p) && !holdsOwned(p)) removePath(object, p);
  }
  // Forcing moves the conflicting fields to the applier.
  for (const o of others) for (const p of conflicting) o.paths.delete(p);

  const entry: JsonObject = {
    apiVersion,
    fieldsType: 'FieldsV1',
    fieldsV1: pathsToFields(appliedLeaves.keys()),
    manager: args.manager,
    operation: 'Apply',
    time: rfc3339(args.now),
  };
  const kept = others.filter((o) => o.paths.size > 0).map((o) => (conflicting.size > 0 ? { ...o.entry, fieldsV1: pathsToFields(o.paths) } : o.entry));
  let objectMeta = object['metadata'];
  if (!isJsonObject(objectMeta)) {
    objectMeta = {};
    object['metadata'] = objectMeta;
  }
  objectMeta['managedFields'] = [...kept, entry].sort(compareEntries);
  return { object, conflicts: [], conflictDetails: [] };
}
