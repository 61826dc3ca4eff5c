/**
 * The resourceVersion / resourceVersionMatch semantics of LIST and WATCH that kubectl and client-go
 * reflectors rely on, with the apiserver's errors: a non-numeric version is a 400, a LIST newer than
 * anything stored is the watch cache's 504 "Too large resource version", and an Exact LIST of a
 * state the sandbox no longer holds is 410 Expired. The sandbox keeps only the current state, so
 * only the current resourceVersion can be listed exactly.
 */
import type { Store } from './storage.ts';
import { ApiError, badRequest, failure, gone, invalid } from './status.ts';

/** APIObjectVersioner.ParseResourceVersion: '' and '0' mean "any"; otherwise an unsigned integer. */
export function parseResourceVersion(value: string): number {
  if (value === '' || value === '0') return 0;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(value)}: strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  return Number(value);
}

function tooLarge(requested: number, current: number): ApiError {
  const body = failure({
    code: 504, reason: 'Timeout', message: `Timeout: Too large resource version: ${requested}, current: ${current}`,
    details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
  });
  return new ApiError(504, body, { 'retry-after': '1' });
}

function listOptionsInvalid(field: string, message: string): ApiError {
  return invalid({ kind: 'ListOptions', group: 'meta.k8s.io', name: '', causes: [{ reason: 'FieldValueForbidden', field, message }] });
}

/** Checks a LIST's resourceVersion parameters against the store; throws the apiserver's error. */
export function checkListResourceVersion(store: Store, query: URLSearchParams): void {
  const raw = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  const rv = parseResourceVersion(raw);
  if (match !== '' && raw === '') throw listOptionsInvalid('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match === 'Exact' && rv === 0) throw listOptionsInvalid('resourceVersionMatch', 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  if (match !== '' && match !== 'Exact' && match !== 'NotOlderThan') {
    throw invalid({
      kind: 'ListOptions', group: 'meta.k8s.io', name: '',
      causes: [{ reason: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: `Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan", ""` }],
    });
  }
  if (rv > store.resourceVersion) throw tooLarge(rv, store.resourceVersion);
  if (match === 'Exact' && rv !== store.resourceVersion) throw gone('The resourceVersion for the provided list is too old.');
}
