/**
 * User impersonation (`kubectl --as=NAME --as-group=G`: the Impersonate-User, Impersonate-Group,
 * Impersonate-Uid and Impersonate-Extra-* headers), as the apiserver's WithImpersonation filter
 * does it: the requester needs the `impersonate` verb on each thing it asks to be (users,
 * serviceaccounts, groups, uids, userextras), and the request then runs as that user.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { forbiddenError, type Authorization, type RequestAttributes, type SandboxUser } from './auth.ts';
import { serviceAccountUser } from './rbac.ts';
import { internalError } from '../core/status.ts';

const EXTRA_PREFIX = 'impersonate-extra-';

function values(headers: IncomingHttpHeaders, name: string): string[] {
  const v = headers[name];
  if (v === undefined) return [];
  // Node joins repeated headers with ", " except for a few; kubectl sends one header per group.
  return (Array.isArray(v) ? v : v.split(',')).map((x) => x.trim()).filter((x) => x !== '');
}

/** `system:serviceaccount:<ns>:<name>` → its namespace and name. */
function splitServiceAccount(user: string): { namespace: string; name: string } | undefined {
  const parts = user.split(':');
  const [system, account, namespace = '', name = ''] = parts;
  if (parts.length !== 4 || system !== 'system' || account !== 'serviceaccount' || namespace === '' || name === '') return undefined;
  return { namespace, name };
}

/** The user the request acts as: `requester` itself without impersonation headers. */
export function impersonate(requester: SandboxUser, headers: IncomingHttpHeaders, authorization: Authorization): SandboxUser {
  const requestedUser = values(headers, 'impersonate-user')[0] ?? '';
  const requestedGroups = values(headers, 'impersonate-group');
  const uid = values(headers, 'impersonate-uid')[0] ?? '';
  const extras = Object.keys(headers)
    .filter((h) => h.startsWith(EXTRA_PREFIX))
    .flatMap((h) => values(headers, h).map((value) => ({ key: decodeURIComponent(h.slice(EXTRA_PREFIX.length)), value })));
  if (requestedUser === '') {
    if (requestedGroups.length > 0 || extras.length > 0 || uid !== '') {
      throw internalError(`requested impersonation of groups, extras or uid without impersonating a user`);
    }
    return requester;
  }
  const checks: RequestAttributes[] = [];
  let name = requestedUser;
  let groups = [...requestedGroups];
  const sa = splitServiceAccount(requestedUser);
  if (sa !== undefined) {
    checks.push({ verb: 'impersonate', resource: 'serviceaccounts', apiGroup: '', namespace: sa.namespace, name: sa.name });
    name = serviceAccountUser(sa.namespace, sa.name);
    // A service account's groups are fixed; they are implied unless groups were asked for.
    if (requestedGroups.length === 0) groups = ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`];
  } else {
    checks.push({ verb: 'impersonate', resource: 'users', apiGroup: '', name: requestedUser });
  }
  for (const g of requestedGroups) checks.push({ verb: 'impersonate', resource: 'groups', apiGroup: '', name: g });
  for (const e of extras) checks.push({ verb: 'impersonate', resource: 'userextras', subresource: e.key, apiGroup: 'authentication.k8s.io', name: e.value });
  if (uid !== '') checks.push({ verb: 'impersonate', resource: 'uids', apiGroup: 'authentication.k8s.io', name: uid });
  for (const attrs of checks) {
    if (!authorization.allows(requester, attrs)) {
      throw forbiddenError(requester, attrs);
    }
  }
  // Like the filter: an impersonated user is authenticated unless asked to be unauthenticated.
  if (name === 'system:anonymous') {
    if (!groups.includes('system:unauthenticated')) groups.push('system:unauthenticated');
  } else if (!groups.includes('system:authenticated') && !groups.includes('system:unauthenticated')) {
    groups.push('system:authenticated');
  }
  return { name, groups };
}
