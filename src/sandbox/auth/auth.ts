/**
 * Bearer-token authentication and an RBAC-like authorizer with the apiserver's Forbidden wording
 * (k8s.io/apiserver responsewriters.forbiddenMessage wrapped by apierrors.NewForbidden).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { StoredRbac, serviceAccountUser, type PolicyRule, type RbacAttributes } from './rbac.ts';
import type { Store } from '../storage/store.ts';
import { forbidden, type ApiError } from '../core/status.ts';

export interface SandboxUser {
  name: string;
  groups: string[];
}

/**
 * One grant. `namespaces: '*'` behaves like a ClusterRoleBinding (every namespace and the cluster
 * scope); a list behaves like RoleBindings in those namespaces only.
 */
export interface AccessRule {
  verbs: string[];
  resources: string[];
  namespaces: string[] | '*';
  apiGroups?: string[];
  /** Restricts the rule to these object names (like RBAC resourceNames). */
  resourceNames?: string[];
}

/**
 * What the request does, as the apiserver's RequestInfo sees it. For `namespaces` the namespace
 * is the namespace's own name. A non-resource request (/version, /api, ...) has resource '' and `path`.
 */
export type RequestAttributes = RbacAttributes;

export type AuthenticationOutcome = SandboxUser | 'anonymous' | 'invalid';

/** The user the apiserver assigns to requests without credentials (anonymous auth enabled). */
export const ANONYMOUS_USER: SandboxUser = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/**
 * 'anonymous' when no bearer token is presented (no header, another scheme, empty token), as the
 * apiserver's token authenticator has no opinion then; 'invalid' for an unknown token (401).
 */
export function createAuthenticator(tokens: Record<string, SandboxUser>): (authorizationHeader: string | undefined) => AuthenticationOutcome {
  const entries = Object.entries(tokens).map(([token, user]) => ({ token: Buffer.from(token), user }));
  return (header) => {
    if (header === undefined) return 'anonymous';
    const parts = header.split(' ');
    if (parts.length < 2 || parts[0]?.toLowerCase() !== 'bearer') return 'anonymous';
    const token = parts[1] ?? '';
    if (token === '') return 'anonymous';
    const presented = Buffer.from(token);
    const hit = entries.find((e) => e.token.length === presented.length && timingSafeEqual(e.token, presented));
    return hit ? hit.user : 'invalid';
  };
}

function listMatches(list: readonly string[], value: string): boolean {
  return list.includes('*') || list.includes(value);
}

/** RBAC's ResourceMatches: exact `tasks/status`, `*`, or `*\/status` for any resource's subresource. */
function resourceMatches(rule: AccessRule, attrs: RequestAttributes): boolean {
  const combined = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  return rule.resources.some(
    (r) => r === '*' || r === combined || (attrs.subresource !== undefined && attrs.subresource !== '' && r === `*/${attrs.subresource}`),
  );
}

function ruleAllows(rule: AccessRule, attrs: RequestAttributes): boolean {
  if (!listMatches(rule.verbs, attrs.verb)) return false;
  if (!listMatches(rule.apiGroups ?? ['*'], attrs.apiGroup)) return false;
  if (!resourceMatches(rule, attrs)) return false;
  if (rule.resourceNames !== undefined && rule.resourceNames.length > 0) {
    if (attrs.name === undefined || !rule.resourceNames.includes(attrs.name)) return false;
  }
  if (rule.namespaces === '*') return true;
  return attrs.namespace !== undefined && attrs.namespace !== '' && rule.namespaces.includes(attrs.namespace);
}

/** The groups the apiserver's authenticators add: every user with credentials is system:authenticated. */
export function effectiveUser(user: SandboxUser): SandboxUser {
  if (user.groups.includes('system:unauthenticated') || user.groups.includes('system:authenticated')) return user;
  return { name: user.name, groups: [...user.groups, 'system:authenticated'] };
}

export interface AccessDecision {
  allowed: boolean;
  /** SubjectAccessReview status.reason: which binding allowed it (empty for system:masters and static rules). */
  reason: string;
}

/** What a SelfSubjectRulesReview lists: rules on resources and rules on non-resource URLs. */
export interface SubjectRules {
  resourceRules: PolicyRule[];
  nonResourceRules: PolicyRule[];
}

/** The authorizer every request goes through, and what the access-review APIs ask of it. */
export interface Authorization {
  decide(user: SandboxUser, attrs: RequestAttributes): AccessDecision;
  allows(user: SandboxUser, attrs: RequestAttributes): boolean;
  rulesFor(user: SandboxUser, namespace: string): SubjectRules;
}

/** A static AccessRule as the PolicyRule a SelfSubjectRulesReview shows for `namespace`. */
function asPolicyRule(rule: AccessRule, namespace: string): PolicyRule | undefined {
  if (rule.namespaces !== '*' && !rule.namespaces.includes(namespace)) return undefined;
  const out: PolicyRule = { verbs: [...rule.verbs], apiGroups: [...(rule.apiGroups ?? ['*'])], resources: [...rule.resources] };
  if (rule.resourceNames !== undefined && rule.resourceNames.length > 0) out.resourceNames = [...rule.resourceNames];
  return out;
}

/**
 * `rules` (keyed by user or group name) are static grants; `stored` adds RBAC from the Roles,
 * ClusterRoles and bindings in the sandbox's store, on top of the bootstrap roles every cluster
 * has (discovery paths for authenticated users, /version and health checks for anyone, access
 * reviews). Grants add up, as the apiserver's union of authorizers does. system:masters may do
 * everything (the privileged-group authorizer in front of RBAC).
 */
export function createAuthorization(rules: Record<string, AccessRule[]>, stored?: Store): Authorization {
  const rbac = new StoredRbac(stored);
  const decide = (who: SandboxUser, attrs: RequestAttributes): AccessDecision => {
    const user = effectiveUser(who);
    if (user.groups.includes('system:masters')) return { allowed: true, reason: '' };
    const subjects = [user.name, ...user.groups];
    if (attrs.resource !== '' && subjects.some((s) => (rules[s] ?? []).some((r) => ruleAllows(r, attrs)))) return { allowed: true, reason: '' };
    return rbac.decide(user, attrs);
  };
  return {
    decide,
    allows: (user, attrs) => decide(user, attrs).allowed,
    rulesFor: (who, namespace) => {
      const user = effectiveUser(who);
      const all: PolicyRule[] = [];
      if (user.groups.includes('system:masters')) {
        all.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] });
      }
      for (const s of [user.name, ...user.groups]) {
        for (const r of rules[s] ?? []) {
          const p = asPolicyRule(r, namespace);
          if (p !== undefined) all.push(p);
        }
      }
      all.push(...rbac.rulesFor(user, namespace));
      // The rules review splits each rule into its resource part and its non-resource part.
      return {
        resourceRules: all.filter((r) => (r.resources ?? []).length > 0).map(({ nonResourceURLs: _n, ...r }) => r),
        nonResourceRules: all.filter((r) => (r.nonResourceURLs ?? []).length > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs ?? [] })),
      };
    },
  };
}

/** The boolean authorizer over static rules and the bootstrap roles (no store). */
export function createAuthorizer(rules: Record<string, AccessRule[]>): (user: SandboxUser, attrs: RequestAttributes) => boolean {
  return createAuthorization(rules).allows;
}

/** The apiserver escapes these in the user-controlled parts of the message. */
function sanitize(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The 403 Status message, e.g. `tasks.aliecs.alice.cern "t1" is forbidden: User "task-executor" cannot patch ...`. */
export function forbiddenMessage(user: SandboxUser, attrs: RequestAttributes): string {
  if (attrs.resource === '') {
    return `forbidden: ${sanitize(`User ${JSON.stringify(user.name)} cannot ${attrs.verb} path ${JSON.stringify(attrs.path ?? '/')}`)}`;
  }
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace ${JSON.stringify(attrs.namespace)}` : 'at the cluster scope';
  const reason = sanitize(
    `User ${JSON.stringify(user.name)} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup)} ${scope}`,
  );
  const qualified = attrs.apiGroup === '' ? attrs.resource : `${attrs.resource}.${attrs.apiGroup}`;
  return attrs.name ? `${qualified} ${JSON.stringify(attrs.name)} is forbidden: ${reason}` : `${qualified} is forbidden: ${reason}`;
}

/** apierrors.NewForbidden for a refused request, the object named when there is one. */
export function forbiddenError(user: SandboxUser, attrs: RequestAttributes): ApiError {
  return forbidden(forbiddenMessage(user, attrs), { ...(attrs.name !== undefined ? { name: attrs.name } : {}), group: attrs.apiGroup, kind: attrs.resource });
}

/**
 * The identity a ServiceAccount's token authenticates as: user `system:serviceaccount:NS:NAME` in
 * the groups `system:serviceaccounts` and `system:serviceaccounts:NS` (system:authenticated is
 * added by effectiveUser). RoleBindings with a `kind: ServiceAccount` subject grant it their rules.
 */
export function serviceAccountIdentity(namespace: string, name: string): SandboxUser {
  return { name: serviceAccountUser(namespace, name), groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`] };
}

/** `NS/NAME` (or `system:serviceaccount:NS:NAME`) → the ServiceAccount's namespace and name; TypeError otherwise. */
export function parseServiceAccount(ref: string): { namespace: string; name: string } {
  const parts = ref.startsWith('system:serviceaccount:') ? ref.slice('system:serviceaccount:'.length).split(':') : ref.split('/');
  const dns = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
  if (parts.length !== 2 || !parts.every((p) => p.length <= 253 && dns.test(p))) {
    throw new TypeError(`service account ${JSON.stringify(ref)}: expected NAMESPACE/NAME (or system:serviceaccount:NAMESPACE:NAME)`);
  }
  const [namespace = '', name = ''] = parts;
  return { namespace, name };
}

export const DEFAULT_USERS: { admin: SandboxUser; executor: SandboxUser } = {
  admin: { name: 'admin', groups: ['system:masters'] },
  executor: { name: 'task-executor', groups: [] },
};

const READ_WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** What the task executor may do by default: run Tasks and the objects they ship with. */
export const DEFAULT_RULES: Record<string, AccessRule[]> = {
  'task-executor': [
    { verbs: READ_WRITE, resources: ['tasks'], apiGroups: ['aliecs.alice.cern'], namespaces: '*' },
    { verbs: ['get', 'patch', 'update'], resources: ['tasks/status'], apiGroups: ['aliecs.alice.cern'], namespaces: '*' },
    { verbs: READ_WRITE, resources: ['configmaps', 'services', 'secrets'], apiGroups: [''], namespaces: '*' },
    { verbs: ['get'], resources: ['namespaces'], apiGroups: [''], namespaces: '*' },
  ],
};

/** The recordings' setup (role task-reader bound in `namespaces`): the executor may only read Tasks. */
export function taskReaderRules(namespaces: string[]): Record<string, AccessRule[]> {
  return { 'task-executor': [{ verbs: ['get', 'list', 'watch'], resources: ['tasks'], apiGroups: ['aliecs.alice.cern'], namespaces }] };
}

/** A random bearer token (256 bits, base64url: 43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}
