/**
 * The write verbs create and update (patches.ts turns a patch into an update, deletes.ts deletes)
 * with the apiserver's order of checks: namespace exists → decode/patch → admission (prune,
 * default, validate) → conflicts → storage. A write that changes nothing is not stored (no new
 * resourceVersion), like etcd updates.
 */
import { randomBytes } from 'node:crypto';
import type { JsonObject, JsonValue } from '../../json.ts';
import { admit, type AdmissionContext } from './admission.ts';
import { crdResourceTypes, crdStatus } from '../registry/crds.ts';
import { updateManagedFields } from '../patch/managed-fields.ts';
import { meta, newUid, sameObject, specChanged, str, timestamp } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';
import { groupVersionOf, keyOf, targetOf, tracksGeneration, type ResourceType } from '../registry/resources.ts';
import type { ResourceRequest } from '../core/request-info.ts';
import { alreadyExists, badRequest, conflict, invalid, notFound, OPTIMISTIC_LOCK_MESSAGE } from '../core/status.ts';
import { goQuote } from '../core/go-format.ts';
import type { StoredObject } from '../storage/store.ts';
import type { SandboxState } from './state.ts';

export interface WriteRequest extends AdmissionContext {
  state: SandboxState;
  type: ResourceType;
  req: ResourceRequest;
  manager: string;
  dryRun: boolean;
}

export interface WriteResult {
  status: number;
  json: string;
}

const SERVER_FIELDS = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'generation',
  'managedFields',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
];

function requireNamespace(w: WriteRequest): void {
  if (!w.type.namespaced) return;
  if (w.state.store.get('/namespaces', '', w.req.namespace) === undefined) {
    throw notFound({ name: w.req.namespace, group: '', kind: 'namespaces' });
  }
}

function checkIdentity(w: WriteRequest, body: JsonObject): void {
  const m = meta(body);
  const apiVersion = groupVersionOf(w.type);
  if (body['apiVersion'] !== undefined && body['apiVersion'] !== apiVersion) {
    throw badRequest(`the API version in the data (${str(body['apiVersion'])}) does not match the expected API version (${apiVersion})`);
  }
  // A custom resource of another kind is refused by validation (admission.ts), as the CR validator does.
  if (w.type.origin !== 'crd' && body['kind'] !== undefined && body['kind'] !== w.type.kind) {
    throw badRequest(`the kind in the data (${str(body['kind'])}) does not match the expected kind (${w.type.kind})`);
  }
  body['apiVersion'] = apiVersion;
  if (w.type.origin !== 'crd' || body['kind'] === undefined) body['kind'] = w.type.kind;
  if (w.type.namespaced) {
    if (m['namespace'] !== undefined && m['namespace'] !== '' && m['namespace'] !== w.req.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    m['namespace'] = w.req.namespace;
  } else delete m['namespace'];
}

/** Stores (unless dry run) and runs the CRD side effects. */
export function commit(w: WriteRequest, obj: JsonObject, type: 'ADDED' | 'MODIFIED'): StoredObject {
  if (w.dryRun) return { obj, json: JSON.stringify(obj), resourceVersion: w.state.store.resourceVersion };
  const stored = w.state.store.put(keyOf(w.type), obj, type);
  if (w.type.resource === 'customresourcedefinitions' && w.type.group === 'apiextensions.k8s.io') registerCrd(w.state, obj);
  return stored;
}

function registerCrd(state: SandboxState, crd: JsonObject): void {
  const types = crdResourceTypes(crd);
  for (const t of types) state.registry.removeGroupResource(t.group, t.resource);
  for (const t of types) state.registry.add(t);
}

/** `managedFields`: set by server-side apply; otherwise computed for an Update by w.manager. */
export function create(w: WriteRequest, body: JsonObject, managedFields?: JsonValue): WriteResult {
  // Decoding (decode-body.ts) comes before the namespace lifecycle admission check.
  checkIdentity(w, body);
  requireNamespace(w);
  const m = meta(body);
  if (str(m['name']) === '' && str(m['generateName']) !== '') m['name'] = str(m['generateName']) + randomBytes(3).toString('hex').slice(0, 5);
  for (const f of SERVER_FIELDS) delete m[f];
  if (w.type.hasStatus && w.type.origin === 'crd') delete body['status'];
  if (w.type.resource === 'customresourcedefinitions') delete body['status'];
  const obj = admit(w.type, body, w, true);
  const name = str(meta(obj)['name']);
  if (w.state.store.get(keyOf(w.type), w.type.namespaced ? w.req.namespace : '', name) !== undefined) {
    throw alreadyExists(targetOf(w.type, name));
  }
  const now = w.state.now();
  const om = meta(obj);
  om['uid'] = newUid();
  om['creationTimestamp'] = timestamp(now);
  if (tracksGeneration(w.type)) om['generation'] = 1;
  if (w.type.resource === 'customresourcedefinitions') obj['status'] = crdStatus(obj, timestamp(now));
  om['managedFields'] =
    managedFields ?? updateManagedFields({ before: null, after: obj, manager: w.manager, apiVersion: groupVersionOf(w.type), time: timestamp(now) });
  return { status: 201, json: commit(w, obj, 'ADDED').json };
}

/** The object a write names, or its 404. */
export function current(w: WriteRequest): StoredObject {
  const ns = w.type.namespaced ? w.req.namespace : '';
  const found = w.state.store.get(keyOf(w.type), ns, w.req.name);
  if (found === undefined) throw notFound(targetOf(w.type, w.req.name));
  return found;
}

/** Applies the subresource rules: /status changes only status, the main resource never does. */
function mergeSubresource(w: WriteRequest, live: JsonObject, next: JsonObject): JsonObject {
  if (w.req.subresource === 'status') {
    const out = structuredClone(live);
    if (next['status'] === undefined) delete out['status'];
    else out['status'] = next['status'];
    return out;
  }
  if (w.type.hasStatus) {
    if (live['status'] === undefined) delete next['status'];
    else next['status'] = live['status'];
  }
  return next;
}

/**
 * Shared tail of update and patch. `proposed` is owned by this function. For 'Apply' the caller
 * (server-side apply) already computed managedFields; for 'Update' they are derived here.
 */
export function update(w: WriteRequest, live: StoredObject, proposed: JsonObject, operation: 'Update' | 'Apply'): WriteResult {
  const ssa = operation === 'Apply';
  const before = live.obj;
  const bm = meta(before);
  // Read before mergeSubresource: a /status write keeps only status from the body, yet the
  // client's resourceVersion still guards it.
  const rv = meta(proposed)['resourceVersion'];
  let next = mergeSubresource(w, before, proposed);
  checkIdentity(w, next);
  const nm = meta(next);
  if (str(nm['name']) !== w.req.name) {
    throw badRequest(`the name of the object (${str(nm['name'])}) does not match the name on the URL (${w.req.name})`);
  }
  if (rv !== undefined && rv !== '' && rv !== bm['resourceVersion']) throw conflict(targetOf(w.type, w.req.name), OPTIMISTIC_LOCK_MESSAGE);
  for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
    const kept = bm[f];
    if (kept === undefined) delete nm[f];
    else nm[f] = kept;
  }
  nm['resourceVersion'] = str(bm['resourceVersion']);
  forbidNewFinalizers(w, bm, nm);
  // The managedFields this Update starts from: read before they are reset to the live ones for admission.
  const baseFields = ssa ? [] : requestedManagedFields(w, nm, bm);
  if (!ssa) nm['managedFields'] = bm['managedFields'] ?? [];
  next = admit(w.type, next, w, false);
  const now = w.state.now();
  if (w.type.resource === 'customresourcedefinitions') next['status'] = crdStatus(next, timestamp(now), before);
  const am = meta(next);
  if (tracksGeneration(w.type) && specChanged(before, next)) am['generation'] = Number(bm['generation'] ?? 0) + 1;
  if (!ssa) {
    const { managedFields: _drop, ...cleanMeta } = am;
    const probe = { ...next, metadata: cleanMeta };
    const { managedFields: _old, ...beforeMeta } = bm;
    const fieldsKept = sameObject({ fields: baseFields }, { fields: bm['managedFields'] ?? [] });
    if (fieldsKept && sameObject({ ...before, metadata: beforeMeta }, probe)) return { status: 200, json: live.json };
    am['managedFields'] = updateManagedFields({
      before: { ...before, metadata: { ...beforeMeta, managedFields: baseFields } },
      after: probe,
      manager: w.manager,
      apiVersion: groupVersionOf(w.type),
      time: timestamp(now),
      ...(w.req.subresource !== '' ? { subresource: w.req.subresource } : {}),
    });
    // omitempty: after a reset that left nobody owning anything, the field is gone.
    if (Array.isArray(am['managedFields']) && am['managedFields'].length === 0) delete am['managedFields'];
  } else if (sameObject(withoutFieldTimes(before), withoutFieldTimes(next))) return { status: 200, json: live.json };
  if (am['deletionTimestamp'] !== undefined && !(Array.isArray(am['finalizers']) && am['finalizers'].length > 0)) {
    if (w.dryRun) return { status: 200, json: JSON.stringify(next) };
    commit(w, next, 'MODIFIED');
    const gone = w.state.store.remove(keyOf(w.type), w.type.namespaced ? w.req.namespace : '', w.req.name);
    return { status: 200, json: gone?.json ?? JSON.stringify(next) };
  }
  return { status: 200, json: commit(w, next, 'MODIFIED').json };
}

/**
 * The managedFields an Update starts from, as the apiserver's field manager decides
 * (decodeLiveOrNew): a write to the main resource may replace them (kubectl's migration from
 * client-side to server-side apply sends a JSON patch that does), an explicitly empty list or a
 * single empty entry resets them, and a request without usable entries keeps the live ones so that
 * clients that do not know the field cannot drop it. A subresource write never changes them.
 */
function requestedManagedFields(w: WriteRequest, requested: JsonObject, live: JsonObject): JsonValue[] {
  const kept = Array.isArray(live['managedFields']) ? live['managedFields'] : [];
  if (w.req.subresource !== '') return kept;
  const entries = requested['managedFields'];
  if (!Array.isArray(entries)) return kept;
  if (entries.length === 0) return [];
  if (entries.length === 1 && isJsonObject(entries[0]) && Object.keys(entries[0]).length === 0) return [];
  if (!entries.every(isJsonObject)) return kept;
  const owning = entries.filter((e) => isJsonObject(e) && isJsonObject(e['fieldsV1']) && Object.keys(e['fieldsV1']).length > 0);
  return owning.length > 0 ? structuredClone(entries) : kept;
}

/** ValidateNoNewFinalizers: once deletion started, finalizers may only go away. */
function forbidNewFinalizers(w: WriteRequest, before: JsonObject, after: JsonObject): void {
  if (before['deletionTimestamp'] === undefined) return;
  const list = (m: JsonObject): string[] => (Array.isArray(m['finalizers']) ? m['finalizers'].map((f) => str(f)) : []);
  const old = new Set(list(before));
  const added = [...new Set(list(after).filter((f) => !old.has(f)))].sort();
  if (added.length === 0) return;
  throw invalid({
    kind: w.type.kind,
    group: w.type.group,
    name: w.req.name,
    causes: [
      {
        reason: 'FieldValueForbidden',
        field: 'metadata.finalizers',
        message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map(goQuote).join(', ')}}`,
      },
    ],
  });
}

/** The apiserver does not store an apply whose only effect would be new managedFields timestamps. */
function withoutFieldTimes(o: JsonObject): JsonObject {
  const m = meta(o);
  const entries = Array.isArray(m['managedFields']) ? m['managedFields'] : [];
  const managedFields = entries.map((e) => {
    if (!isJsonObject(e)) return e;
    const { time: _time, ...rest } = e;
    return rest;
  });
  return { ...o, metadata: { ...m, managedFields } };
}

export function replace(w: WriteRequest, body: JsonObject): WriteResult {
  const live = current(w);
  const rv = meta(body)['resourceVersion'];
  if (w.type.origin === 'crd' && (rv === undefined || rv === '')) {
    throw invalid({
      kind: w.type.kind,
      group: w.type.group,
      name: w.req.name,
      causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }],
    });
  }
  return update(w, live, body, 'Update');
}
