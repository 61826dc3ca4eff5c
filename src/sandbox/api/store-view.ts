/**
 * Direct access to the sandbox's objects for tests and fixtures: read without HTTP, and write
 * through the same admission and metadata logic as a kubectl request (manager `sandbox`).
 */
import type { JsonObject } from '../../json.ts';
import { meta, str } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';
import { keyOf, resolveType, type ResourceType } from '../registry/resources.ts';
import { remove } from './deletes.ts';
import { create, replace, type WriteRequest } from './writes.ts';
import type { SandboxState } from './state.ts';

export class SandboxStore {
  constructor(private readonly state: SandboxState) {}

  /** The current global resourceVersion. */
  get resourceVersion(): number {
    return this.state.store.resourceVersion;
  }

  private typeOf(resource: string): ResourceType {
    const t = resolveType(this.state.registry, resource);
    if (t === undefined) throw new Error(`sandbox store: unknown resource "${resource}"`);
    return t;
  }

  private typeOfObject(obj: JsonObject): ResourceType {
    const apiVersion = str(obj['apiVersion']);
    const kind = str(obj['kind']);
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const t = this.state.registry.all().find((x) => x.group === group && x.version === version && x.kind === kind);
    if (t === undefined) throw new Error(`sandbox store: no resource serves ${apiVersion} ${kind}`);
    return t;
  }

  /** A copy of one object; `resource` as kubectl accepts it (`tasks`, `task`, `cm`, `tasks.aliecs.alice.cern`). */
  get(resource: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const t = this.typeOf(resource);
    const o = this.state.store.get(keyOf(t), t.namespaced ? (namespace ?? 'default') : '', name);
    return o === undefined ? undefined : structuredClone(o.obj);
  }

  /** Copies of all objects of a type, in one namespace or all. */
  list(resource: string, namespace?: string): JsonObject[] {
    const t = this.typeOf(resource);
    return this.state.store.list(keyOf(t), t.namespaced ? namespace : undefined).map((o) => structuredClone(o.obj));
  }

  private request(t: ResourceType, obj: JsonObject, verb: 'create' | 'update' | 'delete', subresource = ''): WriteRequest {
    const m = meta(obj);
    return {
      state: this.state,
      type: t,
      req: {
        kind: 'resource',
        verb,
        group: t.group,
        version: t.version,
        namespace: t.namespaced ? str(m['namespace']) || 'default' : '',
        resource: t.resource,
        name: str(m['name']),
        subresource,
      },
      manager: 'sandbox',
      dryRun: false,
      fieldValidation: 'Ignore',
      decodedFrom: 'object',
      allocateClusterIP: this.state.allocateClusterIP,
      warnings: [],
    };
  }

  /** Creates the object, or replaces it (spec and metadata; status too when `status` is set). */
  put(input: JsonObject): JsonObject {
    const obj = structuredClone(input);
    const t = this.typeOfObject(obj);
    const w = this.request(t, obj, 'create');
    const existing = this.state.store.get(keyOf(t), w.req.namespace, w.req.name);
    if (existing === undefined) {
      const created = JSON.parse(create(w, obj).json) as JsonObject;
      if (!isJsonObject(input['status']) || !t.hasStatus) return created;
      return this.putStatus({ ...created, status: input['status'] });
    }
    meta(obj)['resourceVersion'] = str(meta(existing.obj)['resourceVersion']);
    const updated = JSON.parse(replace({ ...w, req: { ...w.req, verb: 'update' } }, obj).json) as JsonObject;
    if (!isJsonObject(input['status']) || !t.hasStatus) return updated;
    return this.putStatus({ ...updated, status: input['status'] });
  }

  private putStatus(obj: JsonObject): JsonObject {
    const t = this.typeOfObject(obj);
    meta(obj)['resourceVersion'] = str(meta(obj)['resourceVersion']);
    const w = this.request(t, obj, 'update', 'status');
    return JSON.parse(replace(w, obj).json) as JsonObject;
  }

  /** Deletes like kubectl delete (finalizers respected); false when it did not exist. */
  delete(resource: string, namespace: string | undefined, name: string): boolean {
    const t = this.typeOf(resource);
    const ns = t.namespaced ? (namespace ?? 'default') : '';
    if (this.state.store.get(keyOf(t), ns, name) === undefined) return false;
    remove(this.request(t, { metadata: { name, namespace: ns } }, 'delete'), {});
    return true;
  }
}
