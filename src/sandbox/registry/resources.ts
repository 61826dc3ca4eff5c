/**
 * The resource types the sandbox serves: a fixed set of built-in ones (what kubectl-task and its
 * manifests touch) plus whatever CRDs register at run time (see crds.ts).
 */
import type { JSONSchemaProps } from '../schema/validation.ts';
import type { PrinterColumn } from '../tables/table.ts';

export interface ResourceType {
  group: string;
  version: string;
  /** Plural, lower case: `tasks`. */
  resource: string;
  /** Empty for built-ins, as the 1.26 discovery documents list them. */
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
  /** Subresources listed in discovery; only `status` has storage semantics. */
  subresources: { name: string; kind: string; verbs: string[] }[];
  hasStatus: boolean;
  origin: 'builtin' | 'crd';
  /** Whole-object structural schema (CRDs only). */
  schema?: JSONSchemaProps;
  /** Printer columns for Table output: CRD additionalPrinterColumns, or 'default'. */
  columns?: PrinterColumn[] | 'default';
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];

function builtin(t: Omit<ResourceType, 'listKind' | 'origin' | 'subresources' | 'hasStatus' | 'singular'> & { status?: boolean }): ResourceType {
  const { status, ...rest } = t;
  return {
    ...rest,
    singular: '',
    listKind: `${t.kind}List`,
    origin: 'builtin',
    hasStatus: status === true,
    subresources: status === true ? [{ name: 'status', kind: t.kind, verbs: STATUS_VERBS }] : [],
  };
}

export const BUILTIN_RESOURCES: readonly ResourceType[] = [
  builtin({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ALL_VERBS, shortNames: ['cm'], storageVersionHash: 'qFsyl6wFWjQ=' }),
  builtin({ group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, verbs: ALL_VERBS, shortNames: ['ev'], storageVersionHash: 'r2yiGXH7wu8=' }),
  builtin({ group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'], storageVersionHash: 'Q3oi5N2YM8M=', status: true }),
  builtin({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, verbs: ALL_VERBS, shortNames: ['po'], categories: ['all'], storageVersionHash: 'xPOwRZ+Yhw8=', status: true }),
  builtin({ group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true, verbs: ALL_VERBS, storageVersionHash: 'S6u1pOWzb84=' }),
  builtin({ group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, verbs: ALL_VERBS, shortNames: ['sa'], storageVersionHash: 'pbx9ZvyFpBE=' }),
  builtin({ group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true, verbs: ALL_VERBS, shortNames: ['svc'], categories: ['all'], storageVersionHash: '0/CO1lhkEBI=', status: true }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false, verbs: ALL_VERBS, storageVersionHash: '48tpQ8gZHFc=' }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false, verbs: ALL_VERBS, storageVersionHash: 'bYE5ZWDrJ44=' }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding', namespaced: true, verbs: ALL_VERBS, storageVersionHash: 'eGsCzGH6b1g=' }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', namespaced: true, verbs: ALL_VERBS, storageVersionHash: '7FuwZcIIItM=' }),
  // Not stored: answered by access-review.ts for `kubectl auth can-i` (and `can-i --list`).
  builtin({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'] }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'] }),
  builtin({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false, verbs: ALL_VERBS, shortNames: ['crd', 'crds'], categories: ['api-extensions'], storageVersionHash: 'jfWCUB31mvA=', status: true }),
];

/** Key of a resource type in the registry and the store: `aliecs.alice.cern/tasks`, `/configmaps`. */
export function resourceKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

export function groupVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

/** The live set of served types; CRDs add and remove entries. */
export class ResourceRegistry {
  private readonly byKey = new Map<string, ResourceType>();
  private generationCounter = 0;

  constructor(initial: readonly ResourceType[] = BUILTIN_RESOURCES) {
    for (const t of initial) this.byKey.set(`${t.group}/${t.version}/${t.resource}`, t);
  }

  /** Bumped on every change so discovery/openapi caches know to rebuild. */
  get generation(): number {
    return this.generationCounter;
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byKey.get(`${group}/${version}/${resource}`);
  }

  add(t: ResourceType): void {
    this.byKey.set(`${t.group}/${t.version}/${t.resource}`, t);
    this.generationCounter++;
  }

  removeGroupResource(group: string, resource: string): void {
    for (const [k, t] of this.byKey) if (t.group === group && t.resource === resource) this.byKey.delete(k);
    this.generationCounter++;
  }

  all(): ResourceType[] {
    return [...this.byKey.values()];
  }

  /** Group versions in discovery order: built-in groups first, then CRD groups by name. */
  groupVersions(): { group: string; versions: string[] }[] {
    const order: string[] = [];
    const versions = new Map<string, string[]>();
    for (const t of this.byKey.values()) {
      if (t.group === '') continue;
      if (!versions.has(t.group)) {
        versions.set(t.group, []);
        order.push(t.group);
      }
      const vs = versions.get(t.group)!;
      if (!vs.includes(t.version)) vs.push(t.version);
    }
    return order.map((group) => ({ group, versions: versions.get(group)! }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }
}
