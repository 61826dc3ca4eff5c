/**
 * GET and LIST: selectors, limit/continue pagination, and Table output when kubectl asks for it
 * (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). Stored JSON is spliced into list bodies
 * as is, so a list of 500 objects costs no re-serialization.
 */
import type { JsonObject, JsonValue } from '../kubectl/types.ts';
import { checkListResourceVersion, decodeListIntegers, validateListOptions } from './list-resource-version.ts';
import { apiVersionOf, isObject, keyOf, meta, str, targetOf, type SandboxState } from './objects.ts';
import type { ResourceType } from './resources.ts';
import type { ResourceRequest } from './router.ts';
import {
  convertFieldLabels, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, selectableFields, SelectorError,
  type FieldSelector, type LabelSelector,
} from './selectors.ts';
import { badRequest, gone, notFound } from './status.ts';
import type { StoredObject } from './storage.ts';
import { builtinColumns, toTable } from './table.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export interface Filter {
  labels: LabelSelector;
  fields: FieldSelector;
  type: ResourceType;
}

/** Label values as selectors see them; a malformed label map has no labels. */
function labelsOf(v: JsonValue | undefined): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = str(x);
  return out;
}

/**
 * The label and field selectors of a LIST or WATCH, parsed (400 on a syntax error, as the
 * parameter decoding does). Field labels are converted separately (convertFilter), after the
 * ListOptions validation, as the apiserver's ListResource does.
 */
export function parseFilter(type: ResourceType, query: URLSearchParams): Filter {
  try {
    const labels = parseLabelSelector(query.get('labelSelector') ?? '');
    const fields = parseFieldSelector(query.get('fieldSelector') ?? '');
    return { labels, fields, type };
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
}

/** The field labels converted for the type: 400 with the conversion function's error. */
export function convertFilter(f: Filter): Filter {
  try {
    return { ...f, fields: convertFieldLabels(f.type, f.fields) };
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
}

export function matchesFilter(f: Filter, obj: JsonObject): boolean {
  if (f.labels.requirements.length > 0 && !matchesLabels(f.labels, labelsOf(meta(obj)['labels']))) return false;
  if (f.fields.requirements.length === 0) return true;
  return matchesFields(f.fields, selectableFields(f.type, obj, f.fields));
}

export function getObject(state: SandboxState, type: ResourceType, req: ResourceRequest): StoredObject {
  const found = state.store.get(keyOf(type), type.namespaced ? req.namespace : '', req.name);
  if (found === undefined) throw notFound(targetOf(type, req.name));
  return found;
}

export interface TableRequest {
  objects: JsonObject[];
  includeObject: IncludeObject;
  resourceVersion: string;
  continueToken?: string;
}

export function tableFor(state: SandboxState, type: ResourceType, t: TableRequest): JsonObject {
  const builtin = type.origin === 'builtin';
  return toTable({
    objects: t.objects,
    columns: builtin ? builtinColumns(type.resource) : (type.columns ?? []),
    now: state.now(),
    includeObject: t.includeObject,
    resourceVersion: t.resourceVersion,
    ...(t.continueToken !== undefined && t.continueToken !== '' ? { continueToken: t.continueToken } : {}),
    ...(builtin ? { resource: type.resource } : {}),
  });
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64');
}

function decodeContinue(s: string, oldest: number): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(s, 'base64').toString('utf8'));
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  const rv = isObject(parsed) ? parsed['rv'] : undefined;
  const start = isObject(parsed) ? parsed['start'] : undefined;
  if (typeof rv !== 'number' || typeof start !== 'string') throw badRequest('continue key is not valid: unrecognized continue key');
  if (rv < oldest) throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
  return { rv, start };
}

export interface ListResult {
  items: StoredObject[];
  resourceVersion: string;
  continueToken: string;
  remaining?: number;
}

export function listObjects(state: SandboxState, type: ResourceType, req: ResourceRequest, query: URLSearchParams): ListResult {
  // ListResource's order: decode the parameters, validate them, convert field labels, then storage.
  const { limit } = decodeListIntegers(query);
  const parsed = parseFilter(type, query);
  validateListOptions(query, false);
  const filter = convertFilter(parsed);
  checkListResourceVersion(state.store, query, limit);
  const cont = query.get('continue');
  const all = state.store.list(keyOf(type), type.namespaced && req.namespace !== '' ? req.namespace : undefined);
  const token = cont !== null && cont !== '' ? decodeContinue(cont, state.store.oldestWatchable) : undefined;
  if (token !== undefined && !['', '0'].includes(query.get('resourceVersion') ?? '')) {
    throw badRequest('specifying resource version is not allowed when using continue');
  }
  const rv = token?.rv ?? state.store.resourceVersion;
  const keyFor = (o: StoredObject): string => `${str(meta(o.obj)['namespace'])}/${str(meta(o.obj)['name'])}`;
  const items: StoredObject[] = [];
  let continueToken = '';
  let remaining: number | undefined;
  for (let i = 0; i < all.length; i++) {
    const o = all[i]!;
    if (token !== undefined && keyFor(o) <= token.start) continue;
    if (!matchesFilter(filter, o.obj)) continue;
    if (limit > 0 && items.length >= limit) {
      continueToken = encodeContinue({ rv, start: keyFor(items[items.length - 1]!) });
      remaining = all.slice(i).filter((x) => matchesFilter(filter, x.obj)).length;
      break;
    }
    items.push(o);
  }
  return { items, resourceVersion: String(rv), continueToken, ...(remaining !== undefined ? { remaining } : {}) };
}

/** The list body, built from stored JSON strings. */
export function listJson(type: ResourceType, r: ListResult): string {
  const items = r.items.map((o) => o.json).join(',');
  const m: JsonObject = {};
  if (type.origin === 'crd') {
    m['continue'] = r.continueToken;
    if (r.remaining !== undefined) m['remainingItemCount'] = r.remaining;
    m['resourceVersion'] = r.resourceVersion;
    return `{"apiVersion":${JSON.stringify(apiVersionOf(type))},"items":[${items}],"kind":${JSON.stringify(type.listKind)},"metadata":${JSON.stringify(m)}}`;
  }
  m['resourceVersion'] = r.resourceVersion;
  if (r.continueToken !== '') m['continue'] = r.continueToken;
  if (r.remaining !== undefined) m['remainingItemCount'] = r.remaining;
  return `{"kind":${JSON.stringify(type.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(type))},"metadata":${JSON.stringify(m)},"items":[${items}]}`;
}

export function parseObjects(r: ListResult): JsonObject[] {
  return r.items.map((o) => o.obj);
}

