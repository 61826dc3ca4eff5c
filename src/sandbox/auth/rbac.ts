/**
 * RBAC evaluated from stored objects, as kube-apiserver's RBAC authorizer does it: ClusterRoleBindings
 * apply everywhere, RoleBindings in their own namespace only; a binding grants the rules of the Role
 * or ClusterRole it references to its User, Group and ServiceAccount subjects. The bootstrap policy's
 * roles that every cluster has (discovery for authenticated users, access reviews, health and
 * version for everyone, cluster-admin for system:masters) are built in rather than stored, so that
 * listing the sandbox's ClusterRoles stays short. No aggregation: without a controller-manager
 * (the recording server had none) aggregated ClusterRoles keep the rules they were stored with.
 */
import type { JsonObject } from '../../json.ts';
import { str, strings } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';
import type { Store } from '../storage/store.ts';

/** rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** What a request does, as RBAC sees it (resource '' with `path` for a non-resource request). */
export interface RbacAttributes {
  verb: string;
  resource: string;
  subresource?: string;
  apiGroup: string;
  namespace?: string;
  name?: string;
  path?: string;
}

export interface RbacSubject {
  name: string;
  groups: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace: string;
}

interface Binding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace: string;
  roleRef: { kind: string; name: string };
  subjects: Subject[];
}

const DISCOVERY_URLS = ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'];
const PUBLIC_INFO_URLS = ['/livez', '/readyz', '/healthz', '/version', '/version/'];

/** The bootstrap ClusterRoles a 1.26 apiserver creates that grant anything without aggregation. */
export const BOOTSTRAP_CLUSTER_ROLES: Readonly<Record<string, PolicyRule[]>> = {
  'cluster-admin': [
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    { verbs: ['*'], nonResourceURLs: ['*'] },
  ],
  'system:basic-user': [{ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] }],
  'system:discovery': [{ verbs: ['get'], nonResourceURLs: DISCOVERY_URLS }],
  'system:public-info-viewer': [{ verbs: ['get'], nonResourceURLs: PUBLIC_INFO_URLS }],
};

const clusterBinding = (name: string, role: string, groups: string[]): Binding => ({
  kind: 'ClusterRoleBinding',
  name,
  namespace: '',
  roleRef: { kind: 'ClusterRole', name: role },
  subjects: groups.map((g) => ({ kind: 'Group', name: g, namespace: '' })),
});

/** Their bootstrap ClusterRoleBindings (same names as the roles). */
const BOOTSTRAP_BINDINGS: readonly Binding[] = [
  clusterBinding('cluster-admin', 'cluster-admin', ['system:masters']),
  clusterBinding('system:basic-user', 'system:basic-user', ['system:authenticated']),
  clusterBinding('system:discovery', 'system:discovery', ['system:authenticated']),
  clusterBinding('system:public-info-viewer', 'system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
];

const RBAC = 'rbac.authorization.k8s.io';

function policyRules(role: JsonObject | undefined): PolicyRule[] {
  const rules = role?.['rules'];
  if (!Array.isArray(rules)) return [];
  return rules.filter(isJsonObject).map((r) => {
    const rule: PolicyRule = { verbs: strings(r['verbs']) };
    for (const k of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
      if (Array.isArray(r[k])) rule[k] = strings(r[k]);
    }
    return rule;
  });
}

function bindingOf(obj: JsonObject, kind: Binding['kind']): Binding | undefined {
  const ref = obj['roleRef'];
  if (!isJsonObject(ref)) return undefined;
  const m = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  const subjects = Array.isArray(obj['subjects']) ? obj['subjects'].filter(isJsonObject) : [];
  return {
    kind,
    name: str(m['name']),
    namespace: str(m['namespace']),
    roleRef: { kind: str(ref['kind']), name: str(ref['name']) },
    subjects: subjects.map((s) => ({ kind: str(s['kind']), name: str(s['name']), namespace: str(s['namespace']) })),
  };
}

const has = (list: readonly string[] | undefined, value: string): boolean => (list ?? []).includes('*') || (list ?? []).includes(value);

/** RuleAllows of the RBAC authorizer (rbac.go), with its helpers' wildcard rules. */
export function ruleAllows(rule: PolicyRule, a: RbacAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.resource === '') {
    const path = a.path ?? '';
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
  }
  if (!has(rule.apiGroups, a.apiGroup)) return false;
  const sub = a.subresource ?? '';
  const combined = sub === '' ? a.resource : `${a.resource}/${sub}`;
  const resourceOk = (rule.resources ?? []).some((r) => r === '*' || r === combined || (sub !== '' && r === `*/${sub}`));
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

/** `system:serviceaccount:<ns>:<name>`, the user name of a service account's token. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

function appliesTo(user: RbacSubject, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      // A RoleBinding may name a service account of its own namespace without the namespace.
      const ns = s.namespace !== '' ? s.namespace : bindingNamespace;
      return ns !== '' && user.name === serviceAccountUser(ns, s.name);
    }
    default:
      return false;
  }
}

/** `User "task-executor"` as the authorizer's reasons describe a subject. */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount ${JSON.stringify(`${s.namespace !== '' ? s.namespace : bindingNamespace}/${s.name}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

function describeBinding(b: Binding, s: Subject): string {
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} ${JSON.stringify(name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(s, b.namespace)}`;
}

export interface RbacDecision {
  allowed: boolean;
  /** `RBAC: allowed by RoleBinding "task-runner/recb" of Role "task-runner" to User "task-executor"`. */
  reason: string;
}

/**
 * RBAC over the objects in a store (read on every question, so new bindings count at once);
 * without a store, only the bootstrap roles.
 */
export class StoredRbac {
  constructor(private readonly store: Store | undefined) {}

  private objects(resource: string, namespace?: string): JsonObject[] {
    return (this.store?.list(`${RBAC}/${resource}`, namespace) ?? []).map((s) => s.obj);
  }

  private stored(resource: string, namespace: string, name: string): JsonObject | undefined {
    return this.store?.get(`${RBAC}/${resource}`, namespace, name)?.obj;
  }

  private rulesOf(b: Binding): PolicyRule[] {
    if (b.roleRef.kind === 'Role') {
      return b.kind === 'RoleBinding' ? policyRules(this.stored('roles', b.namespace, b.roleRef.name)) : [];
    }
    if (b.roleRef.kind !== 'ClusterRole') return [];
    const stored = this.stored('clusterroles', '', b.roleRef.name);
    return stored !== undefined ? policyRules(stored) : (BOOTSTRAP_CLUSTER_ROLES[b.roleRef.name] ?? []);
  }

  /** ClusterRoleBindings (stored, then bootstrap ones not overridden), then RoleBindings of `namespace`. */
  private bindings(namespace: string): Binding[] {
    const cluster = this.objects('clusterrolebindings').map((o) => bindingOf(o, 'ClusterRoleBinding'));
    const storedNames = new Set(cluster.map((b) => b?.name));
    const out = [...cluster, ...BOOTSTRAP_BINDINGS.filter((b) => !storedNames.has(b.name))];
    if (namespace !== '') out.push(...this.objects('rolebindings', namespace).map((o) => bindingOf(o, 'RoleBinding')));
    return out.filter((b): b is Binding => b !== undefined);
  }

  /** The first binding whose rules allow the request names the reason, as the authorizer reports it. */
  decide(user: RbacSubject, a: RbacAttributes): RbacDecision {
    for (const b of this.bindings(a.namespace ?? '')) {
      const subject = b.subjects.find((s) => appliesTo(user, s, b.namespace));
      if (subject === undefined) continue;
      if (this.rulesOf(b).some((r) => ruleAllows(r, a))) return { allowed: true, reason: `RBAC: allowed by ${describeBinding(b, subject)}` };
    }
    return { allowed: false, reason: '' };
  }

  /** Every rule that applies to the user in `namespace` (SelfSubjectRulesReview). */
  rulesFor(user: RbacSubject, namespace: string): PolicyRule[] {
    const out: PolicyRule[] = [];
    for (const b of this.bindings(namespace)) {
      if (b.subjects.some((s) => appliesTo(user, s, b.namespace))) out.push(...this.rulesOf(b));
    }
    return out;
  }
}
