/**
 * DELETE and deletecollection: delete options, preconditions, finalizers (deletionTimestamp, object
 * kept until they are gone), graceful pod deletion, and what the missing controllers would do at
 * once: a deleted namespace is emptied, a deleted CRD takes its objects and its served resources
 * with it, and ownerReferences are honoured per propagationPolicy (see garbage-collector.ts).
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import { crdResourceTypes } from '../registry/crds.ts';
import { meta, str, timestamp } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';
import { dependentsOf, withoutOwner } from './owner-references.ts';
import { dryRunCauses } from './admission.ts';
import { goJsonKind } from '../core/go-json.ts';
import type { FieldCause } from '../core/field.ts';
import { goNumber, goQuote } from '../core/go-format.ts';
import { badRequest, conflict, deleteSuccess, invalid, notFound, unknownError } from '../core/status.ts';
import type { StoredObject } from '../storage/store.ts';
import { commit, type WriteRequest, type WriteResult } from './writes.ts';
import { groupVersionOf, keyOf, targetOf } from '../registry/resources.ts';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** The finalizer the apiserver adds for propagationPolicy=Foreground; the collector removes it. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
const POLICIES: readonly string[] = ['Foreground', 'Background', 'Orphan'];

/**
 * The DeleteOptions of a DELETE as 1.26 reads them: from the body when there is one (the query
 * is then ignored), else from the query (strconv errors are 400s); then ValidateDeleteOptions
 * (422 on DeleteOptions.meta.k8s.io with every violation).
 */
export function parseDeleteOptions(body: JsonObject | undefined, query: URLSearchParams): DeleteOptions & { dryRun: boolean } {
  const o: JsonObject = body ?? queryOptions(query);
  const options: DeleteOptions = {};
  const causes: FieldCause[] = [];
  const policy = o['propagationPolicy'];
  if (body !== undefined) bodyTypes(body);
  if (o['orphanDependents'] !== undefined && o['orphanDependents'] !== null && policy !== undefined && policy !== null) {
    const message = `Invalid value: ${goQuote(str(policy))}: orphanDependents and deletionPropagation cannot be both set`;
    causes.push({ reason: 'FieldValueInvalid', field: 'propagationPolicy', message });
  }
  if (typeof policy === 'string') {
    if (POLICIES.includes(policy)) options.propagationPolicy = policy as PropagationPolicy;
    else {
      const message = `Unsupported value: ${goQuote(policy)}: supported values: "Foreground", "Background", "Orphan", "nil"`;
      causes.push({ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message });
    }
  }
  const dryRun = Array.isArray(o['dryRun']) ? o['dryRun'].map((v) => str(v)) : [];
  causes.push(...dryRunCauses(dryRun));
  if (causes.length > 0) throw invalid({ kind: 'DeleteOptions', group: 'meta.k8s.io', name: '', causes });
  if (typeof o['gracePeriodSeconds'] === 'number') options.gracePeriodSeconds = o['gracePeriodSeconds'];
  const pre = o['preconditions'];
  if (isJsonObject(pre)) {
    options.preconditions = {};
    if (typeof pre['uid'] === 'string') options.preconditions.uid = pre['uid'];
    if (typeof pre['resourceVersion'] === 'string') options.preconditions.resourceVersion = pre['resourceVersion'];
  }
  return { ...options, dryRun: dryRun.length > 0 };
}

/** The DeleteOptions query parameters, decoded as the parameter codec does. */
function queryOptions(query: URLSearchParams): JsonObject {
  const o: JsonObject = {};
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null) {
    if (!/^[+-]?\d+$/.test(grace) || BigInt(grace) >= 2n ** 63n || BigInt(grace) < -(2n ** 63n)) {
      throw badRequest(`strconv.ParseInt: parsing ${goQuote(grace)}: ${/^[+-]?\d+$/.test(grace) ? 'value out of range' : 'invalid syntax'}`);
    }
    o['gracePeriodSeconds'] = Number(grace);
  }
  const policy = query.get('propagationPolicy');
  if (policy !== null) o['propagationPolicy'] = policy;
  const orphan = query.get('orphanDependents');
  if (orphan !== null) o['orphanDependents'] = orphan !== '0' && orphan.toLowerCase() !== 'false';
  const dryRun = query.getAll('dryRun');
  if (dryRun.length > 0) o['dryRun'] = dryRun;
  return o;
}

/** A body field of the wrong JSON type: the decoder's error reaches the client as is (500). */
function bodyTypes(body: JsonObject): void {
  const fields: Record<string, [string, (v: JsonValue) => boolean]> = {
    gracePeriodSeconds: ['int64', (v) => typeof v === 'number' && Number.isInteger(v)],
    propagationPolicy: ['v1.DeletionPropagation', (v) => typeof v === 'string'],
    orphanDependents: ['bool', (v) => typeof v === 'boolean'],
    dryRun: ['[]string', (v) => Array.isArray(v)],
  };
  for (const [k, v] of Object.entries(body)) {
    const f = fields[k];
    if (f === undefined || v === null || f[1](v)) continue;
    const kind = f[0] === 'int64' && typeof v === 'number' ? `number ${goNumber(v)}` : goJsonKind(v);
    throw unknownError(500, `json: cannot unmarshal ${kind} into Go struct field DeleteOptions.${k} of type ${f[0]}`);
  }
}

/**
 * Only pods delete gracefully (their strategy's CheckGracefulDelete); an unscheduled or finished
 * pod gets 0. Every other kind is marked with grace 0 (the registry's markAsDeleting).
 */
function gracePeriod(w: WriteRequest, obj: JsonObject, options: DeleteOptions): number {
  if (w.type.resource !== 'pods' || w.type.group !== '') return 0;
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const phase = isJsonObject(obj['status']) ? obj['status']['phase'] : undefined;
  if (str(spec['nodeName']) === '' || phase === 'Failed' || phase === 'Succeeded') return 0;
  const configured = typeof spec['terminationGracePeriodSeconds'] === 'number' ? spec['terminationGracePeriodSeconds'] : 30;
  return options.gracePeriodSeconds ?? configured;
}

/** deletionTimestamp and deletionGracePeriodSeconds; generation moves on as the apiserver does it. */
function markAsDeleting(w: WriteRequest, obj: JsonObject, grace: number): void {
  const m = meta(obj);
  if (m['deletionTimestamp'] !== undefined) return;
  const generation = m['generation'];
  if (typeof generation === 'number' && generation > 0) m['generation'] = generation + 1;
  m['deletionTimestamp'] = timestamp(new Date(w.state.now().getTime() + grace * 1000));
  m['deletionGracePeriodSeconds'] = grace;
}

/** propagationPolicy=Orphan: dependents lose their ownerReference before the owner goes. */
function orphanDependents(w: WriteRequest, uid: string): void {
  for (const d of dependentsOf(w.state, uid)) w.state.store.put(keyOf(d.type), withoutOwner(d.stored.obj, uid), 'MODIFIED');
}

export function remove(w: WriteRequest, options: DeleteOptions): WriteResult {
  const ns = w.type.namespaced ? w.req.namespace : '';
  const live = w.state.store.get(keyOf(w.type), ns, w.req.name);
  if (live === undefined) throw notFound(targetOf(w.type, w.req.name));
  const m = meta(live.obj);
  const uid = str(m['uid']);
  const pre = options.preconditions;
  // rest.BeforeDelete checks the preconditions first, naming the object by its Kind.
  const byKind = { name: w.req.name, group: w.type.group, kind: w.type.kind };
  if (pre?.uid !== undefined && pre.uid !== uid) {
    const why = `the UID in the precondition (${pre.uid}) does not match the UID in record (${uid})`;
    throw conflict(byKind, `${why}. The object might have been deleted and then recreated`);
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== m['resourceVersion']) {
    const why = `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${str(m['resourceVersion'])})`;
    throw conflict(byKind, `${why}. The object might have been modified`);
  }
  const policy = options.propagationPolicy ?? 'Background';
  const finalizers = Array.isArray(m['finalizers']) ? m['finalizers'] : [];
  const grace = gracePeriod(w, live.obj, options);
  const isNamespace = w.type.resource === 'namespaces' && w.type.group === '';
  if (!isNamespace && (finalizers.length > 0 || grace > 0 || policy === 'Foreground')) {
    const next = structuredClone(live.obj);
    markAsDeleting(w, next, grace);
    const nm = meta(next);
    if (policy === 'Foreground' && !finalizers.includes(FOREGROUND_FINALIZER)) nm['finalizers'] = [...finalizers, FOREGROUND_FINALIZER];
    if (policy === 'Orphan' && !w.dryRun) orphanDependents(w, uid);
    if (JSON.stringify(next) === live.json) return { status: 200, json: live.json };
    return { status: 200, json: commit(w, next, 'MODIFIED').json };
  }
  const success = JSON.stringify(deleteSuccess({ ...targetOf(w.type, w.req.name), uid }));
  if (w.dryRun) return { status: 200, json: success };
  if (policy === 'Orphan') orphanDependents(w, uid);
  if (isNamespace) {
    // No namespace controller runs here: empty the namespace at once instead of leaving it Terminating.
    for (const t of w.state.registry.all()) {
      if (!t.namespaced) continue;
      for (const o of w.state.store.list(keyOf(t), w.req.name)) w.state.store.remove(keyOf(t), w.req.name, str(meta(o.obj)['name']));
    }
    const next = structuredClone(live.obj);
    meta(next)['deletionTimestamp'] = timestamp(w.state.now());
    next['status'] = { phase: 'Terminating' };
    w.state.store.remove(keyOf(w.type), '', w.req.name);
    return { status: 200, json: JSON.stringify(next) };
  }
  if (w.type.resource === 'customresourcedefinitions' && w.type.group === 'apiextensions.k8s.io') {
    for (const t of crdResourceTypes(live.obj)) {
      for (const o of w.state.store.list(keyOf(t))) w.state.store.remove(keyOf(t), str(meta(o.obj)['namespace']), str(meta(o.obj)['name']));
      w.state.registry.removeGroupResource(t.group, t.resource);
    }
  }
  w.state.store.remove(keyOf(w.type), ns, w.req.name);
  return { status: 200, json: success };
}

export function deleteCollection(w: WriteRequest, objects: StoredObject[], options: DeleteOptions): WriteResult {
  const items: JsonValue[] = [];
  for (const o of objects) {
    const name = str(meta(o.obj)['name']);
    remove({ ...w, req: { ...w.req, name, namespace: str(meta(o.obj)['namespace']) } }, options);
    items.push(o.obj);
  }
  const metadata = { resourceVersion: String(w.state.store.resourceVersion) };
  const list: JsonObject = { apiVersion: groupVersionOf(w.type), items, kind: w.type.listKind, metadata };
  return { status: 200, json: JSON.stringify(list) };
}
