/**
 * The four PATCH flavours of the apiserver: JSON patch (RFC 6902), merge patch (RFC 7386),
 * strategic merge patch (built-in kinds) and server-side apply (apply.ts).
 * Failures carry the status the apiserver answers with: 400 for a body it cannot decode as that
 * patch type, 422 for a patch that does not apply (its message is then always the generic
 * "the server rejected our request due to an error in our request"; `message` here says why),
 * 500 for strategic merge errors the apiserver passes on unconverted (`message` is then its text).
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import type { JsonObject, JsonValue } from '../../json.ts';
import { STRATEGIC_KINDS } from './strategic-meta.ts';
import { mergeMap, StrategicPatchError } from './strategic.ts';
import { isJsonObject } from '../../json.ts';
import { goJsonKind, goJsonSyntaxError, FIND_KIND } from '../core/go-json.ts';
import { goQuote } from '../core/go-format.ts';

export type PatchOutcome = { ok: true; value: JsonObject } | { ok: false; message: string; code?: 400 | 422 | 500 };

export { applyServerSideApply, applyConflictCauses, applyConflictMessage, type ApplyConflict } from './apply.ts';

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

export type PatchKind = 'json' | 'merge' | 'strategic';
export type DecodedPatch = { ok: true; value: JsonValue } | { ok: false; message: string; code: 400 | 422 };

/** `json: cannot unmarshal <kind> into Go value of type <goType>`. */
const typeError = (v: JsonValue, goType: string): string => `json: cannot unmarshal ${goJsonKind(v)} into Go value of type ${goType}`;

/**
 * The patch body as 1.26's patch handlers decode it (after the object was read, so a missing
 * object is a 404 first). With fieldValidation Warn or Strict (`strict`, the default) JSON and
 * merge patches are first decoded strictly into []handlers.jsonPatchOp or map[string]interface {}
 * ("error decoding patch: ..."); then jsonpatch.DecodePatch / MergePatch (evanphx/json-patch
 * v4.12: "Invalid JSON Patch") or, for strategic merge, kjson into a map (its error as is).
 */
export function decodePatch(kind: PatchKind, raw: string, strict: boolean): DecodedPatch {
  const bad = (message: string): DecodedPatch => ({ ok: false, code: 400, message });
  const syntax = goJsonSyntaxError(raw);
  if (syntax !== undefined) {
    if (strict && kind !== 'strategic') return bad(`error decoding patch: ${syntax}`);
    return bad(kind === 'merge' ? 'Invalid JSON Patch' : syntax);
  }
  const value = JSON.parse(raw) as JsonValue;
  if (kind === 'json') {
    if (value === null) return { ok: true, value: [] };
    if (strict) {
      if (!Array.isArray(value)) return bad(`error decoding patch: ${typeError(value, '[]handlers.jsonPatchOp')}`);
      for (const op of value) {
        if (op === null) continue;
        if (!isJsonObject(op)) return bad(`error decoding patch: ${typeError(op, 'handlers.jsonPatchOp')}`);
        for (const [k, v] of Object.entries(op)) {
          const field = ['op', 'path', 'from'].find((f) => f === k.toLowerCase());
          if (field === undefined || v === null || typeof v === 'string') continue;
          return bad(`error decoding patch: json: cannot unmarshal ${goJsonKind(v)} into Go struct field jsonPatchOp.${field} of type string`);
        }
      }
    }
    if (!Array.isArray(value)) return bad(typeError(value, 'jsonpatch.Patch'));
    const notOp = value.find((op) => op !== null && !isJsonObject(op));
    if (notOp !== undefined) return bad(typeError(notOp, 'jsonpatch.Operation'));
    return { ok: true, value };
  }
  if (kind === 'merge') {
    if (strict && value !== null && !isJsonObject(value)) return bad(`error decoding patch: ${typeError(value, 'map[string]interface {}')}`);
    if (value === null || (!isJsonObject(value) && !Array.isArray(value))) return bad('Invalid JSON Patch');
    if (Array.isArray(value)) {
      // MergePatch turns the document into the array; decoding that as an object fails.
      const json = JSON.stringify(value);
      const message = `Invalid value: ${goQuote(json)}: couldn't get version/kind; json parse error: ${typeError(value, FIND_KIND)}`;
      return { ok: false, code: 422, message };
    }
    return { ok: true, value };
  }
  if (value !== null && !isJsonObject(value)) return bad(typeError(value, 'map[string]interface {}'));
  return { ok: true, value: value ?? {} };
}

export function applyJsonPatch(doc: JsonObject, ops: JsonValue): PatchOutcome {
  if (!Array.isArray(ops)) {
    return { ok: false, code: 400, message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' };
  }
  const bad = ops.find((op) => !isJsonObject(op) || typeof op['op'] !== 'string' || !OPS.has(op['op']) || typeof op['path'] !== 'string');
  if (bad !== undefined) {
    return { ok: false, code: 422, message: `Unexpected kind: ${isJsonObject(bad) ? String(bad['op']) : JSON.stringify(bad)}` };
  }
  try {
    const result = jsonpatch.applyPatch(structuredClone(doc), ops as unknown as Operation[], true, true);
    const value = result.newDocument as unknown as JsonValue;
    if (!isJsonObject(value)) return { ok: false, code: 422, message: 'json patch replaced the object with a non-object' };
    return { ok: true, value };
  } catch (err) {
    const first = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    return { ok: false, code: 422, message: `json patch failed: ${first}` };
  }
}

function mergeValue(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const out: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}

export function applyMergePatch(doc: JsonObject, patch: JsonValue): PatchOutcome {
  if (!isJsonObject(patch)) return { ok: false, code: 400, message: 'merge patch must be a JSON object' };
  const value = mergeValue(structuredClone(doc), patch);
  return isJsonObject(value) ? { ok: true, value } : { ok: false, code: 422, message: 'merge patch produced a non-object' };
}

/** Strategic merge for the kinds in STRATEGIC_KINDS; any other kind gets a plain merge patch. */
export function applyStrategicMergePatch(doc: JsonObject, patch: JsonValue, kind: string): PatchOutcome {
  const meta = STRATEGIC_KINDS[kind];
  if (meta === undefined) return applyMergePatch(doc, patch);
  if (!isJsonObject(patch)) return { ok: false, code: 400, message: 'strategic merge patch must be a JSON object' };
  try {
    return { ok: true, value: mergeMap(structuredClone(doc), patch, meta) };
  } catch (err) {
    if (err instanceof StrategicPatchError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}
