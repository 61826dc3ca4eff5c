/**
 * `kind: Status` bodies exactly as kube-apiserver 1.26 writes them (field order included), so that
 * kubectl prints the same error lines against the sandbox as against a real cluster.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import type { FieldCause } from './field.ts';

/** What the failing request was about; `kind` is the resource (plural) except for Invalid. */
export interface StatusTarget {
  name?: string;
  group: string;
  kind: string;
}

/** registry.OptimisticLockErrorMsg: a write whose resourceVersion is not the stored one. */
export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: number,
    readonly body: JsonObject,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body['message'] === 'string' ? body['message'] : `HTTP ${code}`);
  }
}

function details(t: StatusTarget, extra: JsonObject = {}): JsonObject {
  const d: JsonObject = {};
  if (t.name !== undefined && t.name !== '') d['name'] = t.name;
  if (t.group !== '') d['group'] = t.group;
  d['kind'] = t.kind;
  return { ...d, ...extra };
}

export function failure(args: { code: number; reason: string; message: string; details?: JsonObject }): JsonObject {
  const body: JsonObject = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: args.message,
    reason: args.reason,
  };
  if (args.details !== undefined) body['details'] = args.details;
  body['code'] = args.code;
  return body;
}

/** `tasks.aliecs.alice.cern` or `configmaps`: how the apiserver names a resource in messages. */
export function qualifiedResource(t: StatusTarget): string {
  return t.group === '' ? t.kind : `${t.kind}.${t.group}`;
}

export function notFound(t: StatusTarget): ApiError {
  const message = `${qualifiedResource(t)} "${t.name ?? ''}" not found`;
  return new ApiError(404, failure({ code: 404, reason: 'NotFound', message, details: details(t) }));
}

export function alreadyExists(t: StatusTarget): ApiError {
  const message = `${qualifiedResource(t)} "${t.name ?? ''}" already exists`;
  return new ApiError(409, failure({ code: 409, reason: 'AlreadyExists', message, details: details(t) }));
}

export function conflict(t: StatusTarget, why: string): ApiError {
  const message = `Operation cannot be fulfilled on ${qualifiedResource(t)} "${t.name ?? ''}": ${why}`;
  return new ApiError(409, failure({ code: 409, reason: 'Conflict', message, details: details(t) }));
}

/** 422 with causes; `kind` is the Kind (Task), as the apiserver reports for validation errors. */
export function invalid(args: { kind: string; group: string; name: string; causes: FieldCause[] }): ApiError {
  const gk = args.group === '' ? args.kind : `${args.kind}.${args.group}`;
  const text = (c: FieldCause): string => (c.field === '' ? c.message : `${c.field}: ${c.message}`);
  const [only] = args.causes;
  const summary = args.causes.length === 1 && only !== undefined ? text(only) : `[${args.causes.map(text).join(', ')}]`;
  const message = `${gk} "${args.name}" is invalid: ${summary}`;
  const causes: JsonValue[] = args.causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field }));
  const d = details({ name: args.name, group: args.group, kind: args.kind }, { causes });
  return new ApiError(422, failure({ code: 422, reason: 'Invalid', message, details: d }));
}

/** The body of a patch that could not be applied at all (failed `test`, missing parent). */
export function patchRejected(): ApiError {
  const message = 'the server rejected our request due to an error in our request';
  return new ApiError(422, failure({ code: 422, reason: 'Invalid', message, details: {} }));
}

export function forbidden(message: string, t: StatusTarget): ApiError {
  return new ApiError(403, failure({ code: 403, reason: 'Forbidden', message, details: details(t) }));
}

export function unauthorized(): ApiError {
  return new ApiError(401, failure({ code: 401, reason: 'Unauthorized', message: 'Unauthorized' }));
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, failure({ code: 400, reason: 'BadRequest', message }));
}

export function gone(message: string): ApiError {
  return new ApiError(410, failure({ code: 410, reason: 'Expired', message }));
}

export function methodNotAllowed(): ApiError {
  const message = 'the server does not allow this method on the requested resource';
  return new ApiError(405, failure({ code: 405, reason: 'MethodNotAllowed', message, details: {} }));
}

export function notFoundPath(): ApiError {
  const message = 'the server could not find the requested resource';
  return new ApiError(404, failure({ code: 404, reason: 'NotFound', message, details: {} }));
}

export function unsupportedMediaType(acceptedTypes: string[]): ApiError {
  const message = `the body of the request was in an unknown format - accepted media types include: ${acceptedTypes.join(', ')}`;
  return new ApiError(415, failure({ code: 415, reason: 'UnsupportedMediaType', message }));
}

/** Reason and message per status for injected failures, worded like the apiserver's own. */
const INJECTED: Record<number, { reason: string; message: string }> = {
  400: { reason: 'BadRequest', message: 'the server rejected our request for an unknown reason (sandbox fault)' },
  401: { reason: 'Unauthorized', message: 'Unauthorized' },
  403: { reason: 'Forbidden', message: 'forbidden: sandbox fault' },
  404: { reason: 'NotFound', message: 'the server could not find the requested resource' },
  405: { reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' },
  409: { reason: 'Conflict', message: 'Operation cannot be fulfilled: sandbox fault' },
  410: { reason: 'Expired', message: 'too old resource version: sandbox fault' },
  422: { reason: 'Invalid', message: 'the server rejected our request due to an error in our request' },
  429: { reason: 'TooManyRequests', message: 'Too many requests, please try again later.' },
  500: { reason: 'InternalError', message: 'Internal error occurred: sandbox fault' },
  503: { reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' },
  504: { reason: 'Timeout', message: 'Timeout: request did not complete within the allotted timeout' },
};

/** A failure injected by faults.failNext: a proper Status body, Retry-After when asked for. */
export function injected(code: number, retryAfterSeconds?: number): ApiError {
  const headers: Record<string, string> = {};
  const details: JsonObject = {};
  if (retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(retryAfterSeconds);
    details['retryAfterSeconds'] = retryAfterSeconds;
  }
  const known = INJECTED[code] ?? { reason: 'Unknown', message: `an error on the server ("sandbox fault") has prevented the request from succeeding` };
  const withDetails = code === 401 && retryAfterSeconds === undefined ? {} : { details };
  return new ApiError(code, failure({ code, reason: known.reason, message: known.message, ...withDetails }), headers);
}

/**
 * A plain Go error that reached the handler unconverted (not an API status): ErrorToAPIStatus
 * answers with a Status that has no reason and no details, e.g. the watch cache's resourceVersion
 * parse error (500).
 */
export function unknownError(code: number, message: string): ApiError {
  return new ApiError(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code });
}

export function internalError(message: string): ApiError {
  return new ApiError(500, failure({ code: 500, reason: 'InternalError', message: `Internal error occurred: ${message}`, details: { causes: [{ message }] } }));
}

/** The Success Status a DELETE returns when the object is gone at once. */
export function deleteSuccess(t: StatusTarget & { uid: string }): JsonObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: details(t, { uid: t.uid }) };
}
