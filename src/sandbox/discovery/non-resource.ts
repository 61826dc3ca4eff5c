/**
 * The non-resource paths kubectl reads: /version, legacy discovery, /openapi/v3 (root and hashed
 * group-version documents with the apiserver's caching headers) and /openapi/v2.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionDocument, type VersionInfo } from './legacy.ts';
import { aggregatedContentType, aggregatedDiscovery, negotiateAggregated } from './aggregated.ts';
import type { OpenApiCache } from './openapi.ts';
import type { ResourceRegistry } from '../registry/resources.ts';
import type { Route } from '../core/request-info.ts';
import { notFoundPath } from '../core/status.ts';

export interface NonResourceRequest {
  route: Exclude<Route, { kind: 'resource' }>;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  registry: ResourceRegistry;
  openapi: OpenApiCache;
  version: VersionInfo;
  /** Server start, RFC 3339: the build date /version reports and the v2 document's Last-Modified. */
  started: string;
  now: Date;
  /** host:port for /api's serverAddressByClientCIDRs. */
  serverAddress: string;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-cache, private' };

function httpDate(d: Date): string {
  return d.toUTCString();
}

function json(res: ServerResponse, status: number, body: unknown): number {
  const payload = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
  return status;
}

/**
 * An empty but valid OpenAPI v2 document: zero bytes decode as an empty protobuf Document. kubectl
 * then finds no v2 schema for any kind and falls back to merge patch for custom resources and its
 * compiled-in strategic-merge metadata for built-ins, as it does against 1.26 for CRs. A 404 here
 * makes kubectl 1.27/1.28 `apply` fail.
 */
function openapiV2(r: NonResourceRequest): number {
  const accept = r.req.headers.accept ?? '';
  const asJson = !accept.includes('protobuf') && accept.includes('json');
  const body = asJson ? JSON.stringify({ swagger: '2.0', info: { title: 'Kubernetes', version: r.version.gitVersion }, paths: {}, definitions: {} }) : '';
  const etag = asJson ? '"SANDBOX-V2-JSON"' : '"SANDBOX-V2-PROTOBUF"';
  const headers = { etag, 'cache-control': 'no-cache, private', vary: 'Accept-Encoding, Accept', 'last-modified': httpDate(new Date(Date.parse(r.started))) };
  if (r.req.headers['if-none-match'] === etag) {
    r.res.writeHead(304, headers);
    r.res.end();
    return 304;
  }
  r.res.writeHead(200, { ...headers, 'content-type': asJson ? 'application/json' : 'application/octet-stream', 'content-length': Buffer.byteLength(body) });
  r.res.end(body);
  return 200;
}

function openapiV3Root(r: NonResourceRequest): number {
  const root = r.openapi.root();
  const since = r.req.headers['if-modified-since'];
  if (since !== undefined && Date.parse(since) >= root.lastModified.getTime()) {
    r.res.writeHead(304, { 'cache-control': 'no-cache, private', 'last-modified': httpDate(root.lastModified) });
    r.res.end();
    return 304;
  }
  r.res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-cache, private',
    'last-modified': httpDate(root.lastModified),
    'content-length': Buffer.byteLength(root.body),
  });
  r.res.end(root.body);
  return 200;
}

function openapiV3Doc(r: NonResourceRequest, path: string): number {
  const doc = r.openapi.document(path);
  if (doc === undefined) throw notFoundPath();
  const hash = r.url.searchParams.get('hash');
  if (hash !== null && hash !== doc.hash) {
    // kube-openapi redirects a stale hash to the current document.
    r.res.writeHead(301, { location: `/openapi/v3/${doc.path}?hash=${doc.hash}`, 'cache-control': 'no-cache, private' });
    r.res.end();
    return 301;
  }
  const etag = `"${doc.hash}"`;
  const headers: Record<string, string> = { etag, vary: 'Accept', 'last-modified': httpDate(doc.lastModified) };
  if (hash !== null) {
    headers['cache-control'] = 'public, immutable';
    headers['expires'] = httpDate(new Date(r.now.getTime() + 365 * 24 * 3600 * 1000));
  } else headers['cache-control'] = 'no-cache, private';
  if (r.req.headers['if-none-match'] === etag) {
    r.res.writeHead(304, headers);
    r.res.end();
    return 304;
  }
  r.res.writeHead(200, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(doc.body) });
  r.res.end(doc.body);
  return 200;
}

/** Answers one non-resource request; returns the status sent (throws ApiError for 404s). */
export function serveNonResource(r: NonResourceRequest): number {
  const { route, res, registry } = r;
  switch (route.kind) {
    case 'version': {
      const body = versionDocument(r.version, r.started);
      res.writeHead(200, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return 200;
    }
    case 'health':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache, private' });
      res.end('ok');
      return 200;
    case 'api':
    case 'apis': {
      const aggregated = negotiateAggregated(r.req.headers.accept, r.version);
      if (aggregated !== undefined) {
        const payload = `${JSON.stringify(aggregatedDiscovery(registry, route.kind, aggregated))}\n`;
        const contentType = aggregatedContentType(aggregated);
        res.writeHead(200, { ...JSON_HEADERS, 'content-type': contentType, vary: 'Accept', 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
        return 200;
      }
      return json(res, 200, route.kind === 'api' ? apiVersions(r.serverAddress) : apiGroupList(registry));
    }
    case 'group': {
      const g = apiGroup(registry, route.group);
      if (g === undefined) throw notFoundPath();
      return json(res, 200, g);
    }
    case 'groupVersion': {
      const list = apiResourceList(registry, route.group, route.version);
      if (list === undefined) throw notFoundPath();
      return json(res, 200, list);
    }
    case 'openapiV3Root':
      return openapiV3Root(r);
    case 'openapiV3Doc':
      return openapiV3Doc(r, route.path);
    case 'openapiV2':
      return openapiV2(r);
    case 'unknown':
      throw notFoundPath();
  }
}
