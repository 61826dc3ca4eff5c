/**
 * Bearer-token authentication and a small RBAC-like authorizer, with the apiserver's
 * Forbidden wording.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface SandboxUser {
  name: string;
  groups: string[];
}

export interface AccessRule {
  verbs: string[];
  resources: string[];
  namespaces: string[] | '*';
  apiGroups?: string[];
}

export interface RequestAttributes {
  verb: string;
  resource: string;
  subresource?: string;
  apiGroup: string;
  namespace?: string;
  name?: string;
}

export type AuthenticationOutcome = SandboxUser | 'anonymous' | 'invalid';

export function createAuthenticator(
  tokens: Record<string, SandboxUser>,
): (authorizationHeader: string | undefined) => AuthenticationOutcome {
  const entries = Object.entries(tokens).map(([token, user]) => ({ token: Buffer.from(token), user }));
  return (header) => {
    if (header === undefined || header === '') return 'anonymous';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return 'invalid';
    const presented = Buffer.from(m[1]!);
    const hit = entries.find((e) => e.token.length === presented.length && timingSafeEqual(e.token, presented));
    return hit ? hit.user : 'invalid';
  };
}

function matches(list: readonly string[], value: string): boolean {
  return list.includes('*') || list.includes(value);
}

export function createAuthorizer(
  rules: Record<string, AccessRule[]>,
): (user: SandboxUser, attrs: RequestAttributes) => boolean {
  return (user, attrs) => {
    if (user.groups.includes('system:masters')) return true;
    const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    return (rules[user.name] ?? []).some(
      (r) =>
        matches(r.verbs, attrs.verb) &&
        matches(r.resources, resource) &&
        matches(r.apiGroups ?? ['*'], attrs.apiGroup) &&
        (r.namespaces === '*' || (attrs.namespace !== undefined && r.namespaces.includes(attrs.namespace))),
    );
  };
}

export function forbiddenMessage(user: SandboxUser, attrs: RequestAttributes): string {
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const qualified = attrs.apiGroup === '' ? attrs.resource : `${attrs.resource}.${attrs.apiGroup}`;
  const subject = attrs.name !== undefined ? `${qualified} "${attrs.name}"` : qualified;
  const scope = attrs.namespace !== undefined ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${user.name}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}`;
}

export const DEFAULT_USERS: { admin: SandboxUser; executor: SandboxUser } = {
  admin: { name: 'admin', groups: ['system:masters'] },
  executor: { name: 'task-executor', groups: [] },
};

const ALL_WRITE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

export const DEFAULT_RULES: Record<string, AccessRule[]> = {
  'task-executor': [
    { verbs: ALL_WRITE_VERBS, resources: ['tasks'], apiGroups: ['aliecs.alice.cern'], namespaces: '*' },
    { verbs: ['get', 'patch', 'update'], resources: ['tasks/status'], apiGroups: ['aliecs.alice.cern'], namespaces: '*' },
    { verbs: ALL_WRITE_VERBS, resources: ['configmaps', 'services', 'secrets'], apiGroups: [''], namespaces: '*' },
    { verbs: ['get'], resources: ['namespaces'], apiGroups: [''], namespaces: '*' },
  ],
};

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}
