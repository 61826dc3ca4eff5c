/**
 * The query parameters of LIST and WATCH as kube-apiserver 1.26 checks them, in its order:
 * decoding (`limit`, `timeoutSeconds`: strconv errors, 400), ListOptions validation (422 on
 * ListOptions.meta.k8s.io, all problems at once), then the storage layer's resourceVersion rules.
 * Which storage layer answers a LIST decides the wording (Cacher.GetList, shouldDelegateList): the
 * watch cache returns a bad resourceVersion's error as is (a 500 without a reason), etcd3's
 * GetList as a 400 "invalid resource version". A LIST newer than anything stored is the 504
 * "Too large resource version"; from etcd with a pinned revision it is etcd's own "future
 * revision" error. The sandbox keeps only the current state, so only the current resourceVersion
 * can be listed exactly (an older one is 410 Expired, as after a compaction).
 */
import type { Store } from '../storage/store.ts';
import { ApiError, badRequest, failure, gone, invalid, unknownError } from '../core/status.ts';
import type { FieldCause } from '../core/field.ts';
import { goQuote } from '../core/go-format.ts';

const MAX_UINT64 = 2n ** 64n - 1n;

/** strconv.ParseInt(v, 10, 64) of a query parameter; its error is the 400's message. */
function parseInt64(name: string, query: URLSearchParams): number {
  const raw = query.get(name);
  if (raw === null) return 0;
  const syntax = /^[+-]?\d+$/.test(raw);
  const n = syntax ? BigInt(raw) : 0n;
  if (!syntax || n < -(2n ** 63n) || n >= 2n ** 63n) {
    throw badRequest(`strconv.ParseInt: parsing ${goQuote(raw)}: ${syntax ? 'value out of range' : 'invalid syntax'}`);
  }
  return Number(n);
}

/** The integer parameters the ListOptions decoding converts (limit, timeoutSeconds). */
export function decodeListIntegers(query: URLSearchParams): { limit: number; timeoutSeconds: number } {
  const timeoutSeconds = parseInt64('timeoutSeconds', query);
  const limit = parseInt64('limit', query);
  return { limit, timeoutSeconds };
}

/** metainternalversion validation.ValidateListOptions: 422 with every violation. */
export function validateListOptions(query: URLSearchParams, watch: boolean): void {
  const match = query.get('resourceVersionMatch') ?? '';
  if (match === '') return;
  const causes: FieldCause[] = [];
  const forbidden = (message: string): void => {
    causes.push({ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: `Forbidden: ${message}` });
  };
  if (watch) forbidden('resourceVersionMatch is forbidden for watch');
  if ((query.get('resourceVersion') ?? '') === '') forbidden('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if ((query.get('continue') ?? '') !== '') forbidden('resourceVersionMatch is forbidden when continue is provided');
  if (match !== 'Exact' && match !== 'NotOlderThan') {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'resourceVersionMatch',
      message: `Unsupported value: ${goQuote(match)}: supported values: "Exact", "NotOlderThan", ""`,
    });
  }
  if (match === 'Exact' && query.get('resourceVersion') === '0') forbidden('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  if (causes.length > 0) throw invalid({ kind: 'ListOptions', group: 'meta.k8s.io', name: '', causes });
}

/**
 * APIObjectVersioner.ParseResourceVersion: '' and '0' mean "any"; otherwise an unsigned 64-bit
 * integer, else its InvalidError text (returned as is by the caller's layer).
 */
export function resourceVersionError(value: string): string | undefined {
  if (value === '' || value === '0') return undefined;
  if (!/^\d+$/.test(value)) return `resourceVersion: Invalid value: ${goQuote(value)}: strconv.ParseUint: parsing ${goQuote(value)}: invalid syntax`;
  if (BigInt(value) > MAX_UINT64) return `resourceVersion: Invalid value: ${goQuote(value)}: strconv.ParseUint: parsing ${goQuote(value)}: value out of range`;
  return undefined;
}

/** A WATCH's resourceVersion: the watch cache hands a parse error back unconverted (500). */
export function watchResourceVersion(value: string): number {
  const error = resourceVersionError(value);
  if (error !== undefined) throw unknownError(500, error);
  return value === '' ? 0 : Number(value);
}

function tooLarge(requested: string, current: number): ApiError {
  const body = failure({
    code: 504,
    reason: 'Timeout',
    message: `Timeout: Too large resource version: ${requested}, current: ${current}`,
    details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
  });
  return new ApiError(504, body, { 'retry-after': '1' });
}

/**
 * The storage layer's checks of a LIST's resourceVersion (after validateListOptions); `limit` is
 * the decoded limit.
 */
export function checkListResourceVersion(store: Store, query: URLSearchParams, limit: number): void {
  const raw = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  const continued = (query.get('continue') ?? '') !== '';
  // Cacher.shouldDelegateList: these go to etcd, the rest is served from the watch cache.
  const fromEtcd = raw === '' || continued || (limit > 0 && raw !== '0') || match === 'Exact';
  const error = resourceVersionError(raw);
  if (error !== undefined) throw fromEtcd ? badRequest(`invalid resource version: ${error}`) : unknownError(500, error);
  // With a continue token, etcd3's GetList next decodes the token (reads.ts) and then refuses
  // any other resourceVersion than '' and '0'.
  if (continued) return;
  if (raw === '' || raw === '0') return;
  const rv = BigInt(raw);
  // etcd read at a pinned revision (Exact, or a legacy paged list) refuses one it has not reached.
  const pinned = fromEtcd && (match === 'Exact' || match === '');
  if (rv > BigInt(store.resourceVersion)) {
    if (pinned) throw unknownError(500, 'etcdserver: mvcc: required revision is a future revision');
    throw tooLarge(raw, store.resourceVersion);
  }
  if (match === 'Exact' && rv !== BigInt(store.resourceVersion)) throw gone('The resourceVersion for the provided list is too old.');
}
