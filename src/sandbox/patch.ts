/**
 * The four PATCH flavours the apiserver accepts: JSON patch, merge patch, strategic merge
 * patch (built-in kinds) and server-side apply.
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { JsonObject, JsonValue } from '../kubectl/types.ts';

export type PatchOutcome = { ok: true; value: JsonObject } | { ok: false; message: string };

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T extends JsonValue>(v: T): T {
  return structuredClone(v);
}

export function applyJsonPatch(doc: JsonObject, ops: JsonValue): PatchOutcome {
  if (!Array.isArray(ops)) return { ok: false, message: 'json patch must be an array of operations' };
  try {
    const result = jsonpatch.applyPatch(clone(doc), ops as unknown as Operation[], true, true);
    const value: unknown = result.newDocument;
    if (!isObject(value as JsonValue)) return { ok: false, message: 'json patch replaced the whole object with a non-object' };
    return { ok: true, value: value as JsonObject };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message.split('\n')[0] ?? 'json patch failed' : 'json patch failed' };
  }
}

function mergeValue(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}

export function applyMergePatch(doc: JsonObject, patch: JsonValue): PatchOutcome {
  if (!isObject(patch)) return { ok: false, message: 'merge patch must be a JSON object' };
  const value = mergeValue(clone(doc), patch);
  return isObject(value) ? { ok: true, value } : { ok: false, message: 'merge patch produced a non-object' };
}

export function applyStrategicMergePatch(doc: JsonObject, patch: JsonValue, _kind: string): PatchOutcome {
  return applyMergePatch(doc, patch);
}

export function applyServerSideApply(args: {
  live: JsonObject | null;
  applied: JsonObject;
  manager: string;
  force: boolean;
  now: Date;
}): { object: JsonObject; conflicts: string[] } {
  const merged = mergeValue(args.live ?? {}, args.applied);
  return { object: isObject(merged) ? merged : {}, conflicts: [] };
}
