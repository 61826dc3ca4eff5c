/**
 * GET and LIST: selectors, limit/continue pagination, and Table output when kubectl asks for it
 * (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). Stored JSON is spliced into list bodies
 * as is, so a list of 500 objects costs no re-serialization.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import { checkListResourceVersion, decodeListIntegers, validateListOptions } from './list-resource-version.ts';
import { meta, str } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';
import { groupVersionOf, keyOf, targetOf, type ResourceType } from '../registry/resources.ts';
import type { ResourceRequest } from '../core/request-info.ts';
import {
  convertFieldLabels,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  selectableFields,
  SelectorError,
  type FieldSelector,
  type LabelSelector,
} from '../selectors/labels.ts';
import { ApiError, badRequest, failure, notFound } from '../core/status.ts';
import { goJsonKind, goJsonSyntaxError, goUnmarshalTypeError } from '../core/go-json.ts';
import { goNumber } from '../core/go-format.ts';
import type { StoredObject } from '../storage/store.ts';
import { builtinColumns, toTable } from '../tables/table.ts';
import type { SandboxState } from './state.ts';

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
  if (!isJsonObject(v)) return undefined;
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
  /** Negative: continue at the current state (a token handed out with a 410). */
  rv: number;
  start: string;
}

/** storage.EncodeContinue: base64.RawURLEncoding of {"v":"meta.k8s.io/v1","rv":N,"start":KEY}. */
function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

const INCONSISTENT_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or ' +
  'use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
  'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in ' +
  'the list.';

/** base64.RawURLEncoding.DecodeString's error, if any ('\r' and '\n' are skipped). */
function base64Error(s: string): string | undefined {
  let quantum = 0;
  let last = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === '\r' || c === '\n') continue;
    if (!/[A-Za-z0-9_-]/.test(c)) return `illegal base64 data at input byte ${i}`;
    quantum = (quantum + 1) % 4;
    last = i;
  }
  return quantum === 1 ? `illegal base64 data at input byte ${last}` : undefined;
}

/** json.Unmarshal into storage's continueToken: its first UnmarshalTypeError, if any. */
function tokenTypeError(v: JsonValue): string | undefined {
  if (v === null) return undefined;
  if (!isJsonObject(v)) return goUnmarshalTypeError(v, 'storage.continueToken');
  const fields: Record<string, string> = { v: 'string', rv: 'int64', start: 'string' };
  for (const [k, x] of Object.entries(v)) {
    const field = Object.entries(fields).find(([f]) => f.toLowerCase() === k.toLowerCase());
    if (field === undefined || x === null) continue;
    const [name, goType] = field;
    const ok = goType === 'string' ? typeof x === 'string' : typeof x === 'number' && Number.isInteger(x);
    if (!ok) {
      // encoding/json names the literal only for a number that does not fit an integer field.
      const kind = goType === 'int64' && typeof x === 'number' ? `number ${goNumber(x)}` : goJsonKind(x);
      return `json: cannot unmarshal ${kind} into Go struct field continueToken.${name} of type ${goType}`;
    }
  }
  return undefined;
}

/** Go's path.Clean of a rooted path. */
function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

/** storage.DecodeContinue with etcd3's wrapping of its errors (400 "invalid continue token: ..."). */
function decodeContinue(s: string, oldest: number): ContinueToken {
  const invalid = (why: string): ApiError => badRequest(`invalid continue token: continue key is not valid${why}`);
  const b64 = base64Error(s);
  if (b64 !== undefined) throw invalid(`: ${b64}`);
  const text = Buffer.from(s.replace(/[\r\n]/g, ''), 'base64url').toString('utf8');
  const syntax = goJsonSyntaxError(text);
  if (syntax !== undefined) throw invalid(`: ${syntax}`);
  const parsed = JSON.parse(text) as JsonValue;
  const typeError = tokenTypeError(parsed);
  if (typeError !== undefined) throw invalid(`: ${typeError}`);
  const field = (name: string): JsonValue | undefined =>
    isJsonObject(parsed) ? Object.entries(parsed).findLast(([k]) => k.toLowerCase() === name)?.[1] : undefined;
  const version = str(field('v'));
  if (version !== 'meta.k8s.io/v1') throw invalid(`: server does not recognize this encoded version ${version}`);
  const rv = typeof field('rv') === 'number' ? (field('rv') as number) : 0;
  const start = str(field('start'));
  if (rv === 0) throw invalid(': incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (start === '') throw invalid(': encoded start key empty (version meta.k8s.io/v1)');
  // Against path traversal: the key, rooted, must be what path.Clean makes of it.
  const key = start.startsWith('/') ? start : `/${start}`;
  if (cleanPath(key) !== key) throw invalid(`: ${start}`);
  if (rv > 0 && rv < oldest) {
    // etcd3 handleCompactedErrorForPaging: a 410 carrying a token that continues at the current state.
    const body = failure({ code: 410, reason: 'Expired', message: INCONSISTENT_CONTINUE });
    body['metadata'] = { continue: encodeContinue({ rv: -1, start }) };
    throw new ApiError(410, body);
  }
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
  const rv = token !== undefined && token.rv > 0 ? token.rv : state.store.resourceVersion;
  const keyFor = (o: StoredObject): string => `${str(meta(o.obj)['namespace'])}/${str(meta(o.obj)['name'])}`;
  const items: StoredObject[] = [];
  let continueToken = '';
  let remaining: number | undefined;
  for (const [i, o] of all.entries()) {
    if (token !== undefined && keyFor(o) <= token.start) continue;
    if (!matchesFilter(filter, o.obj)) continue;
    const last = items[items.length - 1];
    if (limit > 0 && items.length >= limit && last !== undefined) {
      continueToken = encodeContinue({ rv, start: keyFor(last) });
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
    return `{"apiVersion":${JSON.stringify(groupVersionOf(type))},"items":[${items}],"kind":${JSON.stringify(type.listKind)},"metadata":${JSON.stringify(m)}}`;
  }
  m['resourceVersion'] = r.resourceVersion;
  if (r.continueToken !== '') m['continue'] = r.continueToken;
  if (r.remaining !== undefined) m['remainingItemCount'] = r.remaining;
  return `{"kind":${JSON.stringify(type.listKind)},"apiVersion":${JSON.stringify(groupVersionOf(type))},"metadata":${JSON.stringify(m)},"items":[${items}]}`;
}

export function parseObjects(r: ListResult): JsonObject[] {
  return r.items.map((o) => o.obj);
}
