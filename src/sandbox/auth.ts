/**
 * Bearer-token authentication and an RBAC-like authorizer with the apiserver's Forbidden wording
 * (k8s.io/apiserver responsewriters.forbiddenMessage wrapped by apierrors.NewForbidden).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

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
export interface RequestAttributes {
  verb: string;
  resource: string;
  subresource?: string;
  apiGroup: string;
  namespace?: string;
  name?: string;
  path?: string;
}

export type AuthenticationOutcome = SandboxUser | 'anonymous' | 'invalid';

/** The user the apiserver assigns to requests without credentials (anonymous auth enabled). */
export const ANONYMOUS_USER: SandboxUser = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/**
 * 'anonymous' when no bearer token is presented (no header, another scheme, empty token), as the
 * apiserver's token authenticator has no opinion then; 'invalid' for an unknown token (401).
 */
export function createAuthenticator(
  tokens: Record<string, SandboxUser>,
): (authorizationHeader: string | undefined) => AuthenticationOutcome {
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

/** Paths every authenticated user may read (system:discovery, system:public-info-viewer). */
const DISCOVERY_PATHS = [/^\/api(\/.*)?$/, /^\/apis(\/.*)?$/, /^\/openapi(\/.*)?$/, /^\/version\/?$/, /^\/(healthz|livez|readyz)(\/.*)?$/];
const PUBLIC_PATHS = [/^\/version\/?$/, /^\/(healthz|livez|readyz)(\/.*)?$/];

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

/**
 * `rules` is keyed by user name or group name. system:masters may do everything; discovery paths
 * are open to authenticated users (and /version, health checks to anyone).
 */
export function createAuthorizer(
  rules: Record<string, AccessRule[]>,
): (user: SandboxUser, attrs: RequestAttributes) => boolean {
  return (user, attrs) => {
    if (user.groups.includes('system:masters')) return true;
    if (attrs.resource === '' && attrs.path !== undefined) {
      const path = attrs.path;
      const open = user.groups.includes('system:unauthenticated') ? PUBLIC_PATHS : DISCOVERY_PATHS;
      if (attrs.verb === 'get' && open.some((re) => re.test(path))) return true;
    }
    const subjects = [user.name, ...user.groups];
    return subjects.some((s) => (rules[s] ?? []).some((r) => attrs.resource !== '' && ruleAllows(r, attrs)));
  };
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
