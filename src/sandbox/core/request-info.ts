/**
 * Turns a request line into what the apiserver calls RequestInfo: either a non-resource path
 * (discovery, openapi, version) or a resource request with verb, group, version, namespace,
 * resource, name and subresource.
 */

export interface ResourceRequest {
  kind: 'resource';
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  group: string;
  version: string;
  /** Namespace from the path ('' when cluster-scoped or all namespaces). */
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
}

export type NonResourceRoute =
  | { kind: 'version' }
  | { kind: 'api' }
  | { kind: 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'openapiV3Root' }
  | { kind: 'openapiV3Doc'; path: string }
  | { kind: 'openapiV2' }
  | { kind: 'health' }
  | { kind: 'unknown' };

export type Route = ResourceRequest | NonResourceRoute;

function isWatch(query: URLSearchParams): boolean {
  const w = query.get('watch');
  return w === 'true' || w === '1';
}

export function verbFor(method: string, hasName: boolean, query: URLSearchParams): ResourceRequest['verb'] | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (isWatch(query)) return 'watch';
      return hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/** Subresources of a namespace itself (`/api/v1/namespaces/x/status`), not namespaced resources. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function route(method: string, pathname: string, query: URLSearchParams): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const [p0, p1 = '', p2 = ''] = parts;
  if (p0 === 'version' && parts.length === 1) return { kind: 'version' };
  if (p0 === 'healthz' || p0 === 'readyz' || p0 === 'livez') return { kind: 'health' };
  if (p0 === 'openapi') {
    if (p1 === 'v2' && parts.length === 2) return { kind: 'openapiV2' };
    if (p1 === 'v3' && parts.length === 2) return { kind: 'openapiV3Root' };
    if (p1 === 'v3') return { kind: 'openapiV3Doc', path: parts.slice(2).join('/') };
    return { kind: 'unknown' };
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (p0 === 'api') {
    if (parts.length === 1) return { kind: 'api' };
    group = '';
    version = p1;
    rest = parts.slice(2);
    if (rest.length === 0) return { kind: 'groupVersion', group, version };
  } else if (p0 === 'apis') {
    if (parts.length === 1) return { kind: 'apis' };
    if (parts.length === 2) return { kind: 'group', group: p1 };
    group = p1;
    version = p2;
    rest = parts.slice(3);
    if (rest.length === 0) return { kind: 'groupVersion', group, version };
  } else {
    return { kind: 'unknown' };
  }
  let namespace = '';
  const [r0, r1, r2] = rest;
  if (r0 === 'namespaces' && r1 !== undefined) {
    namespace = r1;
    if (r2 !== undefined && !NAMESPACE_SUBRESOURCES.has(r2)) rest = rest.slice(2);
  }
  const [resource, name = '', subresource = ''] = rest;
  if (resource === undefined || rest.length > 3) return { kind: 'unknown' };
  const verb = verbFor(method, name !== '', query);
  if (verb === undefined) return { kind: 'unknown' };
  return { kind: 'resource', verb, group, version, namespace, resource, name, subresource };
}
