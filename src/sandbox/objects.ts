/** Small helpers shared by the read and write paths: metadata access, timestamps, names. */
import { randomUUID } from 'node:crypto';
import type { JsonObject, JsonValue } from '../kubectl/types.ts';
import type { ResourceRegistry, ResourceType } from './resources.ts';
import { resourceKey } from './resources.ts';
import type { Store } from './storage.ts';
import type { OpenApiCache } from './openapi.ts';
import type { StatusTarget } from './status.ts';
import type { FieldCause } from './schema.ts';
import { isJsonObject as isObject } from '../kubectl/types.ts';
export { isObject };

/** Everything request handlers share. */
export interface SandboxState {
  store: Store;
  registry: ResourceRegistry;
  openapi: OpenApiCache;
  now: () => Date;
  /** Next free Service ClusterIP (10.96.0.0/12 like a kubeadm cluster). */
  allocateClusterIP: () => string;
}

/** metadata of an object, created when missing. */
export function meta(obj: JsonObject): JsonObject {
  const m = obj['metadata'];
  if (isObject(m)) return m;
  const fresh: JsonObject = {};
  obj['metadata'] = fresh;
  return fresh;
}

export function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** RFC 3339 with second precision, as Kubernetes timestamps are written. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newUid(): string {
  return randomUUID();
}

export function keyOf(t: ResourceType): string {
  return resourceKey(t.group, t.resource);
}

export function targetOf(t: ResourceType, name?: string): StatusTarget {
  return name === undefined ? { group: t.group, kind: t.resource } : { name, group: t.group, kind: t.resource };
}

export function apiVersionOf(t: ResourceType): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

/** Generation counts changes of anything but metadata and status (CRs and CRDs only). */
export function tracksGeneration(t: ResourceType): boolean {
  return t.origin === 'crd' || t.resource === 'customresourcedefinitions';
}

export function specChanged(before: JsonObject, after: JsonObject): boolean {
  const strip = (o: JsonObject): string => {
    const { metadata: _m, status: _s, ...rest } = o;
    return JSON.stringify(sortKeys(rest));
  };
  return strip(before) !== strip(after);
}

/** Deterministic serialization for equality checks that must ignore key order. */
export function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]!);
  return out;
}

export function sameObject(a: JsonObject, b: JsonObject): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The apiserver's name checks: namespaces are DNS labels, everything else DNS subdomains. */
export function nameCauses(t: ResourceType, name: string): FieldCause[] {
  if (name === '') {
    return [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }];
  }
  if (t.resource === 'namespaces') {
    if (LABEL.test(name) && name.length <= 63) return [];
    return [{
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      field: 'metadata.name',
    }];
  }
  if (SUBDOMAIN.test(name) && name.length <= 253) return [];
  return [{
    reason: 'FieldValueInvalid',
    message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    field: 'metadata.name',
  }];
}

/** Finds a resource type from a name kubectl users write: `tasks`, `task`, `tasks.aliecs.alice.cern`, `cm`. */
export function resolveType(registry: ResourceRegistry, name: string): ResourceType | undefined {
  const lower = name.toLowerCase();
  return registry.all().find((t) => {
    const full = t.group === '' ? t.resource : `${t.resource}.${t.group}`;
    return (
      lower === t.resource ||
      lower === full ||
      lower === t.kind.toLowerCase() ||
      (t.singular !== '' && lower === t.singular) ||
      (t.shortNames ?? []).includes(lower)
    );
  });
}
