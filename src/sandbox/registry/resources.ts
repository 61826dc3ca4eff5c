/**
 * The resource types the sandbox serves: a fixed set of built-in ones (what kubectl-task and its
 * manifests touch, in builtin.ts) plus whatever CRDs register at run time (see crds.ts), and the
 * helpers that name a type: its store key, its apiVersion, its Status target.
 */
import type { JSONSchemaProps } from '../schema/validation.ts';
import type { PrinterColumn } from '../tables/table.ts';
import type { StatusTarget } from '../core/status.ts';
import { BUILTIN_RESOURCES } from './builtin.ts';

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

/** Key of a resource type in the registry and the store: `aliecs.alice.cern/tasks`, `/configmaps`. */
export function resourceKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

/** The apiVersion of a type's objects: `v1`, `aliecs.alice.cern/v1alpha1`. */
export function groupVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

export function keyOf(t: ResourceType): string {
  return resourceKey(t.group, t.resource);
}

export function targetOf(t: ResourceType, name?: string): StatusTarget {
  return name === undefined ? { group: t.group, kind: t.resource } : { name, group: t.group, kind: t.resource };
}

/** Generation counts changes of anything but metadata and status (CRs and CRDs only). */
export function tracksGeneration(t: ResourceType): boolean {
  return t.origin === 'crd' || t.resource === 'customresourcedefinitions';
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
    // A Map iterates in insertion order: the order in which the groups first appear.
    const versions = new Map<string, string[]>();
    for (const t of this.byKey.values()) {
      if (t.group === '') continue;
      let vs = versions.get(t.group);
      if (vs === undefined) {
        vs = [];
        versions.set(t.group, vs);
      }
      if (!vs.includes(t.version)) vs.push(t.version);
    }
    return [...versions].map(([group, vs]) => ({ group, versions: vs }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }
}

/** Finds a resource type from a name kubectl users write: `tasks`, `task`, `tasks.aliecs.alice.cern`, `cm`. */
export function resolveType(registry: ResourceRegistry, name: string): ResourceType | undefined {
  const lower = name.toLowerCase();
  return registry.all().find((t) => {
    const full = t.group === '' ? t.resource : `${t.resource}.${t.group}`;
    return (
      lower === t.resource ||
      lower === full ||
      lower === t.kind.toLowerCase() ||
      (t.singular !== '' && lower === t.singular) ||
      (t.shortNames ?? []).includes(lower)
    );
  });
}
