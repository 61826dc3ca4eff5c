/**
 * DELETE and deletecollection: delete options, preconditions, finalizers (deletionTimestamp, object
 * kept until they are gone), graceful pod deletion, and what the missing controllers would do at
 * once: a deleted namespace is emptied, a deleted CRD takes its objects and its served resources
 * with it, and ownerReferences are honoured per propagationPolicy (see garbage-collector.ts).
 */
import type { JsonObject, JsonValue } from '../kubectl/types.ts';
import { crdResourceTypes } from './crds.ts';
import { apiVersionOf, isObject, keyOf, meta, str, targetOf, timestamp } from './objects.ts';
import { dependentsOf, withoutOwner } from './owner-references.ts';
import { badRequest, conflict, deleteSuccess, invalid, notFound } from './status.ts';
import type { StoredObject } from './storage.ts';
import { commit, type WriteRequest, type WriteResult } from './writes.ts';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** The finalizer the apiserver adds for propagationPolicy=Foreground; the collector removes it. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
const POLICIES: readonly string[] = ['Foreground', 'Background', 'Orphan'];

function parsePolicy(v: JsonValue | undefined): PropagationPolicy | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string' && POLICIES.includes(v)) return v as PropagationPolicy;
  const shown = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(JSON.stringify(v));
  throw invalid({
    kind: 'DeleteOptions', group: 'meta.k8s.io', name: '',
    causes: [{ reason: 'FieldValueNotSupported', field: 'propagationPolicy', message: `Unsupported value: ${shown}: supported values: "Foreground", "Background", "Orphan", "nil"` }],
  });
}

function parseGrace(v: JsonValue | undefined): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n)) throw badRequest(`gracePeriodSeconds must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

/** DeleteOptions from the body (kubectl sends them there) or the query; body fields win. */
export function parseDeleteOptions(o: JsonObject, query: URLSearchParams): DeleteOptions {
  const options: DeleteOptions = {};
  const policy = parsePolicy(o['propagationPolicy'] ?? query.get('propagationPolicy') ?? undefined);
  if (policy !== undefined) options.propagationPolicy = policy;
  const grace = parseGrace(o['gracePeriodSeconds'] ?? query.get('gracePeriodSeconds') ?? undefined);
  if (grace !== undefined) options.gracePeriodSeconds = grace;
  const pre = o['preconditions'];
  if (isObject(pre)) {
    options.preconditions = {};
    if (typeof pre['uid'] === 'string') options.preconditions.uid = pre['uid'];
    if (typeof pre['resourceVersion'] === 'string') options.preconditions.resourceVersion = pre['resourceVersion'];
  }
  return options;
}

/**
 * Only pods delete gracefully (their strategy's CheckGracefulDelete); an unscheduled or finished
 * pod gets 0. Every other kind is marked with grace 0 (the registry's markAsDeleting).
 */
function gracePeriod(w: WriteRequest, obj: JsonObject, options: DeleteOptions): number {
  if (w.type.resource !== 'pods' || w.type.group !== '') return 0;
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const phase = isObject(obj['status']) ? obj['status']['phase'] : undefined;
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
  if (pre?.uid !== undefined && pre.uid !== uid) {
    throw conflict(targetOf(w.type, w.req.name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid}`);
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== m['resourceVersion']) {
    throw conflict(targetOf(w.type, w.req.name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${str(m['resourceVersion'])}`);
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
    for (const t of w.state.registry.all()) if (t.namespaced) for (const o of w.state.store.list(keyOf(t), w.req.name)) w.state.store.remove(keyOf(t), w.req.name, str(meta(o.obj)['name']));
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
  const list: JsonObject = { apiVersion: apiVersionOf(w.type), items, kind: w.type.listKind, metadata: { resourceVersion: String(w.state.store.resourceVersion) } };
  return { status: 200, json: JSON.stringify(list) };
}
