/**
 * DELETE and deletecollection: preconditions, finalizers (deletionTimestamp, object kept until they
 * are gone), and what the missing controllers would do at once: a deleted namespace is emptied,
 * a deleted CRD takes its objects and its served resources with it.
 */
import type { JsonObject, JsonValue } from '../kubectl/types.ts';
import { crdResourceTypes } from './crds.ts';
import { apiVersionOf, keyOf, meta, str, targetOf, timestamp } from './objects.ts';
import { conflict, deleteSuccess, notFound } from './status.ts';
import type { StoredObject } from './storage.ts';
import { commit, type WriteRequest, type WriteResult } from './writes.ts';

export interface DeleteOptions {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export function remove(w: WriteRequest, options: DeleteOptions): WriteResult {
  const ns = w.type.namespaced ? w.req.namespace : '';
  const live = w.state.store.get(keyOf(w.type), ns, w.req.name);
  if (live === undefined) throw notFound(targetOf(w.type, w.req.name));
  const m = meta(live.obj);
  const pre = options.preconditions;
  if (pre?.uid !== undefined && pre.uid !== m['uid']) {
    throw conflict(targetOf(w.type, w.req.name), `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${str(m['uid'])}`);
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== m['resourceVersion']) {
    throw conflict(targetOf(w.type, w.req.name), `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${str(m['resourceVersion'])}`);
  }
  const finalizers = Array.isArray(m['finalizers']) ? m['finalizers'] : [];
  if (finalizers.length > 0 && w.type.resource !== 'namespaces') {
    if (m['deletionTimestamp'] !== undefined) return { status: 200, json: live.json };
    const next = structuredClone(live.obj);
    meta(next)['deletionTimestamp'] = timestamp(w.state.now());
    meta(next)['deletionGracePeriodSeconds'] = 0;
    return { status: 200, json: commit(w, next, 'MODIFIED').json };
  }
  if (w.dryRun) return { status: 200, json: JSON.stringify(deleteSuccess({ ...targetOf(w.type, w.req.name), uid: str(m['uid']) })) };
  if (w.type.resource === 'namespaces' && w.type.group === '') {
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
  return { status: 200, json: JSON.stringify(deleteSuccess({ ...targetOf(w.type, w.req.name), uid: str(m['uid']) })) };
}

export function deleteCollection(w: WriteRequest, objects: StoredObject[]): WriteResult {
  const items: JsonValue[] = [];
  for (const o of objects) {
    const name = str(meta(o.obj)['name']);
    remove({ ...w, req: { ...w.req, name, namespace: str(meta(o.obj)['namespace']) } }, {});
    items.push(o.obj);
  }
  const list: JsonObject = { apiVersion: apiVersionOf(w.type), items, kind: w.type.listKind, metadata: { resourceVersion: String(w.state.store.resourceVersion) } };
  return { status: 200, json: JSON.stringify(list) };
}
