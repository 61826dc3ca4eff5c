/**
 * OpenAPI v3 documents, enough for kubectl: the root index (/openapi/v3) with a content hash per
 * group version, and per group-version documents whose PATCH operations carry the
 * `fieldValidation` parameter (so kubectl leaves validation to the server) and whose components
 * hold each CRD's schema. /openapi/v2 (protobuf only) is not served: see server notes.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../../json.ts';
import { groupVersionOf, type ResourceRegistry, type ResourceType } from '../registry/resources.ts';

export interface OpenApiDocument {
  /** `api/v1` or `apis/aliecs.alice.cern/v1alpha1`. */
  path: string;
  body: string;
  hash: string;
}

const queryParam = (name: string, type = 'string'): JsonObject => ({ name, in: 'query', schema: { type, uniqueItems: true } });
const pathParam = (name: string): JsonObject => ({ name, in: 'path', required: true, schema: { type: 'string', uniqueItems: true } });

function schemaName(t: ResourceType): string {
  if (t.origin === 'crd') return `${t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
  if (t.group === '') return `io.k8s.api.core.${t.version}.${t.kind}`;
  if (t.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${t.version}.${t.kind}`;
  return `io.k8s.api.${t.group.split('.')[0] ?? ''}.${t.version}.${t.kind}`;
}

function ref(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

function content(schemaRef: JsonObject, types: string[]): JsonObject {
  const out: JsonObject = {};
  for (const t of types) out[t] = { schema: schemaRef };
  return out;
}

const RESPONSE_TYPES = ['application/json', 'application/yaml'];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];

function operation(t: ResourceType, action: string, verbText: string, extra: JsonObject = {}): JsonObject {
  const r = ref(schemaName(t));
  return {
    tags: [t.group === '' ? `core_${t.version}` : `${t.group}_${t.version}`],
    description: `${verbText} ${t.kind}`,
    operationId: `${action}${t.kind}`,
    responses: { '200': { description: 'OK', content: content(r, RESPONSE_TYPES) }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
    ...extra,
  };
}

const WRITE_PARAMS = [queryParam('dryRun'), queryParam('fieldManager'), queryParam('fieldValidation')];
const LIST_PARAMS = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'timeoutSeconds', 'watch'];

function pathsFor(t: ResourceType): Record<string, JsonValue> {
  const base = t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
  const coll = t.namespaced ? `${base}/namespaces/{namespace}/${t.resource}` : `${base}/${t.resource}`;
  const nsParams: JsonValue[] = t.namespaced ? [pathParam('namespace')] : [];
  const body = (types: string[]): JsonObject => ({ requestBody: { content: content(ref(schemaName(t)), types), required: true } });
  const listParams = LIST_PARAMS.map((n) => queryParam(n));
  const patchParams = { parameters: [...WRITE_PARAMS, queryParam('force', 'boolean')], ...body(PATCH_TYPES) };
  const deleteParams = [queryParam('dryRun'), queryParam('gracePeriodSeconds', 'integer'), queryParam('propagationPolicy')];
  const paths: Record<string, JsonValue> = {
    [coll]: {
      get: operation(t, 'list', 'list objects of kind', { parameters: listParams }),
      post: operation(t, 'post', 'create a', { parameters: WRITE_PARAMS, ...body(['*/*']) }),
      delete: operation(t, 'deletecollection', 'delete collection of', {}),
      parameters: nsParams,
    },
    [`${coll}/{name}`]: {
      get: operation(t, 'get', 'read the specified', {}),
      put: operation(t, 'put', 'replace the specified', { parameters: WRITE_PARAMS, ...body(['*/*']) }),
      patch: operation(t, 'patch', 'partially update the specified', patchParams),
      delete: operation(t, 'delete', 'delete a', { parameters: deleteParams }),
      parameters: [pathParam('name'), ...nsParams],
    },
  };
  if (t.hasStatus) {
    paths[`${coll}/{name}/status`] = {
      get: operation(t, 'get', 'read status of the specified', {}),
      put: operation(t, 'put', 'replace status of the specified', { parameters: WRITE_PARAMS, ...body(['*/*']) }),
      patch: operation(t, 'patch', 'partially update status of the specified', patchParams),
      parameters: [pathParam('name'), ...nsParams],
    };
  }
  if (t.namespaced) paths[`${base}/${t.resource}`] = { get: operation(t, 'list', 'list objects of kind', { parameters: listParams }) };
  return paths;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function kindSchema(t: ResourceType): JsonObject {
  const gvk = [{ group: t.group, kind: t.kind, version: t.version }];
  if (t.schema !== undefined) {
    const s = structuredClone(t.schema) as JsonObject;
    const props = (typeof s['properties'] === 'object' && s['properties'] !== null && !Array.isArray(s['properties']) ? s['properties'] : {}) as JsonObject;
    props['metadata'] = { allOf: [ref(OBJECT_META)], description: 'Standard object metadata.' };
    s['properties'] = props;
    s['x-kubernetes-group-version-kind'] = gvk;
    return s;
  }
  return {
    type: 'object',
    properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { allOf: [ref(OBJECT_META)], default: {} } },
    'x-kubernetes-preserve-unknown-fields': true,
    'x-kubernetes-group-version-kind': gvk,
  };
}

export function groupVersionDocument(types: ResourceType[]): JsonObject {
  const paths: Record<string, JsonValue> = {};
  const schemas: Record<string, JsonValue> = {
    [OBJECT_META]: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  };
  for (const t of types) {
    Object.assign(paths, pathsFor(t));
    schemas[schemaName(t)] = kindSchema(t);
  }
  const crd = types.some((t) => t.origin === 'crd');
  return {
    openapi: '3.0.0',
    info: crd ? { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' } : { title: 'Kubernetes', version: 'v1.26.1' },
    paths,
    components: { schemas },
  };
}

/** Builds and caches the documents; rebuilt whenever the registry changes. */
export class OpenApiCache {
  private generation = -1;
  private docs = new Map<string, OpenApiDocument>();
  private rootBody = '';
  private modified = new Date(0);

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly now: () => Date,
  ) {}

  private refresh(): void {
    if (this.generation === this.registry.generation) return;
    this.generation = this.registry.generation;
    const byGv = new Map<string, ResourceType[]>();
    for (const t of this.registry.all()) {
      const gv = groupVersionOf(t);
      const path = t.group === '' ? `api/${t.version}` : `apis/${gv}`;
      byGv.set(path, [...(byGv.get(path) ?? []), t]);
    }
    const docs = new Map<string, OpenApiDocument>();
    for (const [path, types] of [...byGv].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const body = JSON.stringify(groupVersionDocument(types));
      const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
      docs.set(path, { path, body, hash });
    }
    this.docs = docs;
    const paths: JsonObject = {};
    for (const d of docs.values()) paths[d.path] = { serverRelativeURL: `/openapi/v3/${d.path}?hash=${d.hash}` };
    this.rootBody = JSON.stringify({ paths });
    // HTTP dates have second precision: move at least one second forward per change, or a client
    // that fetched the root earlier in the same second would get 304 for a root that changed.
    const second = Math.floor(this.now().getTime() / 1000) * 1000;
    this.modified = new Date(Math.max(second, this.modified.getTime() + 1000));
  }

  root(): { body: string; lastModified: Date } {
    this.refresh();
    return { body: this.rootBody, lastModified: this.modified };
  }

  document(path: string): (OpenApiDocument & { lastModified: Date }) | undefined {
    this.refresh();
    const d = this.docs.get(path);
    return d === undefined ? undefined : { ...d, lastModified: this.modified };
  }
}
