/**
 * The patch verb: JSON, merge and strategic merge patches, decoded once the object is read, then
 * applied and stored as an update (writes.ts); server-side apply, which creates the object when it
 * is missing and keeps managedFields itself.
 */
import { parse as parseYaml } from 'yaml';
import { isJsonObject, type JsonObject, type JsonValue } from '../../json.ts';
import { goJsonKind } from '../core/go-json.ts';
import { meta, str } from '../core/objects.ts';
import { ApiError, badRequest, failure, patchRejected, unknownError, unsupportedMediaType } from '../core/status.ts';
import {
  applyConflictMessage,
  applyJsonPatch,
  applyMergePatch,
  applyServerSideApply,
  applyStrategicMergePatch,
  decodePatch,
  type PatchKind,
} from '../patch/patch.ts';
import { groupVersionOf, keyOf } from '../registry/resources.ts';
import { create, current, update, type WriteRequest, type WriteResult } from './writes.ts';

const PATCH_KINDS: Record<string, PatchKind> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

/** `contentType` is the patch type the handler accepted for this resource (see http/handlers.ts). */
export function patch(w: WriteRequest, raw: string, contentType: string, force: boolean): WriteResult {
  const ct = (contentType.split(';')[0] ?? '').trim();
  if (ct === 'application/apply-patch+yaml') return serverSideApply(w, raw, force);
  const kind = PATCH_KINDS[ct];
  if (kind === undefined) throw unsupportedMediaType(Object.keys(PATCH_KINDS));
  // The patch is decoded only once the object has been read: a missing one is a 404 first.
  const live = current(w);
  const decoded = decodePatch(kind, raw, w.fieldValidation !== 'Ignore');
  if (!decoded.ok) {
    if (decoded.code === 400) throw badRequest(decoded.message);
    throw new ApiError(
      422,
      failure({
        code: 422,
        reason: 'Invalid',
        message: ` "" is invalid: patch: ${decoded.message}`,
        details: { causes: [{ reason: 'FieldValueInvalid', message: decoded.message, field: 'patch' }] },
      }),
    );
  }
  const body = decoded.value;
  const doc = structuredClone(live.obj);
  const outcome =
    kind === 'json' ? applyJsonPatch(doc, body) : kind === 'merge' ? applyMergePatch(doc, body) : applyStrategicMergePatch(doc, body, w.type.kind);
  if (!outcome.ok) {
    throw outcome.code === 400 ? badRequest(outcome.message) : outcome.code === 500 ? unknownError(500, outcome.message) : patchRejected();
  }
  return update(w, live, outcome.value, 'Update');
}

function serverSideApply(w: WriteRequest, raw: string, force: boolean): WriteResult {
  let applied: unknown;
  try {
    applied = parseYaml(raw);
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message}`);
  }
  // sigs.k8s.io/yaml: YAML to JSON, then JSON into the patch object's map.
  if (applied !== null && applied !== undefined && !isJsonObject(applied as JsonValue)) {
    const kind = goJsonKind(applied as JsonValue);
    const why = `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
    throw badRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: ${why}`);
  }
  const appliedObj: JsonObject = isJsonObject(applied as JsonValue) ? (applied as JsonObject) : {};
  // structuredMergeManager.Apply: the patch's group/version must be the live object's, and it may not carry managedFields.
  const patchVersion = str(appliedObj['apiVersion']);
  if (patchVersion !== groupVersionOf(w.type)) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${patchVersion}, expected: ${groupVersionOf(w.type)}`);
  }
  const appliedMeta = appliedObj['metadata'];
  if (isJsonObject(appliedMeta) && appliedMeta['managedFields'] !== undefined && appliedMeta['managedFields'] !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const ns = w.type.namespaced ? w.req.namespace : '';
  const live = w.state.store.get(keyOf(w.type), ns, w.req.name);
  const result = applyServerSideApply({
    live: live === undefined ? null : structuredClone(live.obj),
    applied: appliedObj,
    manager: w.manager,
    force,
    now: w.state.now(),
  });
  if (result.conflictDetails.length > 0) {
    // errors.NewApplyConflict: the details hold the causes only (no name, group or kind).
    const causes: JsonValue[] = result.conflictDetails.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.field }));
    throw new ApiError(409, failure({ code: 409, reason: 'Conflict', message: applyConflictMessage(result.conflictDetails), details: { causes } }));
  }
  if (live === undefined) {
    const m = meta(result.object);
    m['name'] = w.req.name;
    return create(w, result.object, m['managedFields']);
  }
  return update(w, live, result.object, 'Apply');
}
