/**
 * Resource requests after authentication: type lookup, authorization (403 with the apiserver's
 * wording), then the verb's handler. Returns what to send; watches write to the response directly.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonObject, type JsonObject, type JsonValue } from '../../json.ts';
import { decodeObjectBody } from '../api/decode-body.ts';
import { goJsonSyntaxError, goUnmarshalTypeError, FIND_KIND } from '../core/go-json.ts';
import { targetOf, type ResourceRegistry, type ResourceType } from '../registry/resources.ts';
import { reviewAccess, reviewRules } from '../auth/access-review.ts';
import { parseFieldValidation, validateWriteOptions } from '../api/admission.ts';
import { forbiddenError, type Authorization, type RequestAttributes, type SandboxUser } from '../auth/auth.ts';
import type { SandboxState } from '../api/state.ts';
import { getObject, listJson, listObjects, parseIncludeObject, tableFor, wantsTable } from '../api/reads.ts';
import type { ResourceRequest } from '../core/request-info.ts';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, ProtobufError } from './protobuf.ts';
import { ApiError, failure, methodNotAllowed, notFound, notFoundPath, unknownError, unsupportedMediaType } from '../core/status.ts';
import { startWatch, type WatchHub } from '../api/watch.ts';
import { deleteCollection, parseDeleteOptions, remove, type DeleteOptions } from '../api/deletes.ts';
import { create, replace, type WriteRequest } from '../api/writes.ts';
import { patch } from '../api/patches.ts';

export interface HandlerContext {
  state: SandboxState;
  hub: WatchHub;
  authorization: Authorization;
}

export interface Reply {
  status: number;
  json: string;
  warnings: string[];
}

export interface IncomingResource {
  req: ResourceRequest;
  query: URLSearchParams;
  http: IncomingMessage;
  res: ServerResponse;
  user: SandboxUser;
  body: Buffer;
}

function managerFrom(query: URLSearchParams, userAgent: string | undefined): string {
  const explicit = query.get('fieldManager');
  if (explicit !== null && explicit !== '') return explicit;
  return (userAgent ?? 'unknown').split('/')[0] ?? 'unknown';
}

/** Options validation has accepted the values: any dryRun=All makes a dry run. */
function isDryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').length > 0;
}

/** runtime.Convert_Slice_string_To_bool: anything but "0" and "false" (any case) is true. */
function queryBool(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

/** The serializers of object bodies (runtime.SerializerInfo), in negotiation order. */
const BODY_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** go-restful's own 415, through the apiserver's serviceErrorHandler (NewGenericServerResponse). */
function restfulUnsupportedMediaType(): ApiError {
  return new ApiError(415, failure({ code: 415, reason: 'UnsupportedMediaType', message: '415: Unsupported Media Type', details: {} }));
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/**
 * JSON (decoded as the apiserver's JSON serializer does, with its errors), or the protobuf
 * kubectl's typed clients send for built-in kinds (`kubectl create namespace`).
 */
function decodeBody(r: IncomingResource, type: ResourceType, registry: ResourceRegistry): JsonObject {
  const ct = r.http.headers['content-type'] ?? '';
  if (ct.startsWith('application/vnd.kubernetes.protobuf') || isKubernetesProtobuf(r.body)) {
    try {
      const value = decodeKubernetesProtobuf(r.body);
      return isJsonObject(value) ? value : {};
    } catch (e) {
      if (e instanceof ProtobufError) throw unsupportedMediaType(['application/json', 'application/yaml']);
      throw e;
    }
  }
  const siblings = registry
    .all()
    .filter((t) => t.group === type.group && t.version === type.version)
    .map((t) => t.kind);
  return decodeObjectBody(type, r.body, siblings);
}

/**
 * DeleteOptions from a body when there is one. The codec's errors are not API errors, so they
 * reach the client as 500s without a reason.
 */
function deleteOptions(body: Buffer, query: URLSearchParams): { options: DeleteOptions; dryRun: boolean } {
  let parsed: JsonObject | undefined;
  if (body.length > 0) {
    const syntax = goJsonSyntaxError(body);
    if (syntax !== undefined) throw unknownError(500, `couldn't get version/kind; json parse error: ${syntax}`);
    const value = JSON.parse(body.toString('utf8')) as JsonValue;
    if (value !== null && !isJsonObject(value)) {
      throw unknownError(500, `couldn't get version/kind; json parse error: ${goUnmarshalTypeError(value, FIND_KIND)}`);
    }
    parsed = value ?? {};
  }
  const { dryRun, ...options } = parseDeleteOptions(parsed, query);
  return { options, dryRun };
}

/** The patch type: the content type without parameters ("; charset=..."). */
function patchContentType(r: IncomingResource): string {
  return ((r.http.headers['content-type'] ?? '').split(';')[0] ?? '').trim();
}

/** Handles one resource request; undefined means a watch took over the response. */
export function handleResource(ctx: HandlerContext, r: IncomingResource): Reply | undefined {
  const { state } = ctx;
  const { req, query } = r;
  const attrs: RequestAttributes = { verb: req.verb, resource: req.resource, apiGroup: req.group };
  if (req.subresource !== '') attrs.subresource = req.subresource;
  if (req.namespace !== '') attrs.namespace = req.namespace;
  if (req.name !== '') attrs.name = req.name;
  if (!ctx.authorization.allows(r.user, attrs)) {
    throw forbiddenError(r.user, attrs);
  }
  // Access reviews are not stored: they are answered (every authenticated user may ask, through
  // the bootstrap role system:basic-user).
  if (req.group === 'authorization.k8s.io' && req.verb === 'create' && req.name === '') {
    const reviewType = state.registry.lookup(req.group, req.version, req.resource);
    if (reviewType !== undefined && req.resource === 'selfsubjectaccessreviews') {
      const review = reviewAccess({ body: decodeBody(r, reviewType, state.registry), user: r.user, authorization: ctx.authorization });
      return { status: 201, json: JSON.stringify(review), warnings: [] };
    }
    if (reviewType !== undefined && req.resource === 'selfsubjectrulesreviews') {
      const review = reviewRules({ body: decodeBody(r, reviewType, state.registry), user: r.user, authorization: ctx.authorization });
      return { status: 201, json: JSON.stringify(review), warnings: [] };
    }
  }
  // Authorization comes first, as in the apiserver's filter chain: a forbidden user learns nothing.
  const type = state.registry.lookup(req.group, req.version, req.resource);
  if (type === undefined) throw notFoundPath();
  if (req.subresource !== '' && !(req.subresource === 'status' && type.hasStatus)) {
    // A custom resource's crdHandler answers an unserved subresource with the object's NotFound; go-restful has no route.
    throw type.origin === 'crd' ? notFound(targetOf(type, req.name)) : notFoundPath();
  }
  if (!type.namespaced && req.namespace !== '' && req.resource !== 'namespaces') throw notFoundPath();
  const accept = r.http.headers.accept;
  const table = wantsTable(accept) ? parseIncludeObject(query.get('includeObject')) : undefined;
  switch (req.verb) {
    case 'get': {
      const o = getObject(state, type, req);
      if (table !== undefined) {
        const t = tableFor(state, type, { objects: [o.obj], includeObject: table, resourceVersion: String(o.resourceVersion) });
        return { status: 200, json: JSON.stringify(t), warnings: [] };
      }
      return { status: 200, json: o.json, warnings: [] };
    }
    case 'list': {
      const l = listObjects(state, type, req, query);
      if (table !== undefined) {
        const objects = l.items.map((o) => o.obj);
        const t = tableFor(state, type, { objects, includeObject: table, resourceVersion: l.resourceVersion, continueToken: l.continueToken });
        return { status: 200, json: JSON.stringify(t), warnings: [] };
      }
      return { status: 200, json: listJson(type, l), warnings: [] };
    }
    case 'watch':
      startWatch(ctx.hub, { state, type, req, query, res: r.res, ...(table !== undefined ? { table } : {}) });
      return undefined;
    default:
      break;
  }
  const warnings: string[] = [];
  // The handlers' order: a patch's content type (415), then the options (422), then the body.
  if (req.verb === 'patch') {
    const supported = type.origin === 'builtin' ? PATCH_TYPES : PATCH_TYPES.filter((t) => !t.startsWith('application/strategic'));
    // Built-in kinds: go-restful's route (Consumes) refuses first; custom resources: the patch handler.
    if (!supported.includes(patchContentType(r))) throw type.origin === 'builtin' ? restfulUnsupportedMediaType() : unsupportedMediaType(supported);
  }
  if (req.verb === 'create' || req.verb === 'update') {
    // NegotiateInputSerializer: an absent content type means JSON.
    const ct = patchContentType(r);
    if (ct !== '' && !BODY_TYPES.includes(ct)) throw unsupportedMediaType(BODY_TYPES);
  }
  if (req.verb === 'create' || req.verb === 'update' || req.verb === 'patch') {
    const kinds = { create: 'CreateOptions', update: 'UpdateOptions', patch: 'PatchOptions' } as const;
    validateWriteOptions(kinds[req.verb], query, req.verb === 'patch' ? patchContentType(r) : '');
  }
  const base = {
    state,
    type,
    req,
    manager: managerFrom(query, r.http.headers['user-agent']),
    fieldValidation: parseFieldValidation(query.get('fieldValidation')),
    decodedFrom: req.verb === 'patch' ? ('patch' as const) : ('object' as const),
    allocateClusterIP: state.allocateClusterIP,
    warnings,
  };
  switch (req.verb) {
    case 'create': {
      if (req.name !== '' || req.subresource !== '') throw methodNotAllowed();
      const w: WriteRequest = { ...base, dryRun: isDryRun(query) };
      return { ...create(w, decodeBody(r, type, state.registry)), warnings };
    }
    case 'update':
      if (req.name === '') throw methodNotAllowed();
      return { ...replace({ ...base, dryRun: isDryRun(query) }, decodeBody(r, type, state.registry)), warnings };
    case 'patch': {
      if (req.name === '') throw methodNotAllowed();
      return { ...patch({ ...base, dryRun: isDryRun(query) }, r.body.toString('utf8'), patchContentType(r), queryBool(query, 'force')), warnings };
    }
    case 'delete': {
      const { options, dryRun } = deleteOptions(r.body, query);
      return { ...remove({ ...base, dryRun }, options), warnings };
    }
    case 'deletecollection': {
      const { options, dryRun } = deleteOptions(r.body, query);
      const l = listObjects(state, type, req, query);
      return { ...deleteCollection({ ...base, dryRun }, l.items, options), warnings };
    }
  }
}
