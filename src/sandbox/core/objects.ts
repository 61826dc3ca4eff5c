/** Small helpers shared by the read and write paths: metadata access, timestamps, names. */
import { randomUUID } from 'node:crypto';
import type { JsonObject, JsonValue } from '../../json.ts';
import type { ResourceRegistry, ResourceType } from '../registry/resources.ts';
import { resourceKey } from '../registry/resources.ts';
import type { Store } from '../storage/store.ts';
import type { OpenApiCache } from '../discovery/openapi.ts';
import type { StatusTarget } from './status.ts';
import type { FieldCause } from '../schema/validation.ts';
import { isJsonObject } from '../../json.ts';
import { goQuote } from '../schema/messages.ts';

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
  if (isJsonObject(m)) return m;
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
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]!);
  return out;
}

export function sameObject(a: JsonObject, b: JsonObject): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

const LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN_FMT = `${LABEL_FMT}(\\.${LABEL_FMT})*`;
const DNS1035_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';

/** validation.RegexError's sentence. */
const regexError = (msg: string, fmt: string, ...examples: string[]): string =>
  `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;

/** An IsDNS1123Label / IsDNS1123Subdomain / IsDNS1035Label check: a length and a pattern error, each on its own. */
function dnsName(max: number, fmt: string, msg: string, ...examples: string[]): (name: string) => string[] {
  const re = new RegExp(`^${fmt}$`);
  return (name) => [
    ...(Buffer.byteLength(name) > max ? [`must be no more than ${max} characters`] : []),
    ...(re.test(name) ? [] : [regexError(msg, fmt, ...examples)]),
  ];
}

export const DNS1123_LABEL = dnsName(63, LABEL_FMT, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", 'my-name', '123-abc');
export const DNS1123_SUBDOMAIN = dnsName(253, SUBDOMAIN_FMT, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", 'example.com');
export const DNS1035_LABEL = dnsName(63, DNS1035_FMT, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", 'my-name', 'abc-123');

/** path.IsValidPathSegmentName (RBAC objects): only '.', '..', '/' and '%' are out. */
function pathSegmentName(name: string, prefix: boolean): string[] {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** maskTrailingDash: a generateName may end in '-' (a suffix follows). */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** The ValidateNameFunc of each type: namespaces are DNS labels, services DNS-1035 labels, RBAC path segments. */
function nameErrors(t: ResourceType, name: string, prefix: boolean): string[] {
  if (t.group === 'rbac.authorization.k8s.io') return pathSegmentName(name, prefix);
  const n = prefix ? maskTrailingDash(name) : name;
  if (t.group === '' && t.resource === 'namespaces') return DNS1123_LABEL(n);
  if (t.group === '' && t.resource === 'services') return DNS1035_LABEL(n);
  return DNS1123_SUBDOMAIN(n);
}

/** ValidateObjectMetaAccessor's name checks: generateName, then the name, one cause per problem. */
export function nameCauses(t: ResourceType, name: string, generateName = ''): FieldCause[] {
  const causes: FieldCause[] = [];
  if (generateName !== '') {
    for (const e of nameErrors(t, generateName, true)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(generateName)}: ${e}`, field: 'metadata.generateName' });
  }
  if (name === '') {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
    return causes;
  }
  for (const e of nameErrors(t, name, false)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(name)}: ${e}`, field: 'metadata.name' });
  return causes;
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
