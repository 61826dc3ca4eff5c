/**
 * Aggregated discovery (apidiscovery.k8s.io): one document for /api and one for /apis instead of
 * a request per group version. kube-apiserver turned it on by default in 1.27 (v2beta1) and went
 * GA in 1.30 (v2); a 1.26 server (the recordings, our default) answers with the legacy documents.
 * So what the sandbox answers depends on the version it emulates and on kubectl's Accept header,
 * exactly as a real server of that version would.
 */
import type { JsonObject } from '../../json.ts';
import type { VersionInfo } from './legacy.ts';
import type { ResourceRegistry, ResourceType } from '../registry/resources.ts';

export type AggregatedVersion = 'v2' | 'v2beta1';

/** The aggregated form to answer with, or undefined for the legacy documents. */
export function negotiateAggregated(accept: string | undefined, server: VersionInfo): AggregatedVersion | undefined {
  if (accept === undefined || !accept.includes('as=APIGroupDiscoveryList')) return undefined;
  const minor = Number.parseInt(server.minor, 10);
  const offered = accept.split(',').map((part) => part.replace(/\s+/g, ''));
  const wants = (v: AggregatedVersion) =>
    offered.some((part) => part.includes('g=apidiscovery.k8s.io') && part.includes(`v=${v};`) && part.includes('as=APIGroupDiscoveryList'));
  if (minor >= 30 && wants('v2')) return 'v2';
  if (minor >= 27 && wants('v2beta1')) return 'v2beta1';
  return undefined;
}

export function aggregatedContentType(version: AggregatedVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/** /api (core group only) or /apis (every other group), as one APIGroupDiscoveryList. */
export function aggregatedDiscovery(registry: ResourceRegistry, which: 'api' | 'apis', version: AggregatedVersion): JsonObject {
  // groupVersions() lists the named groups (what /apis shows); the core group is only v1.
  const groups = which === 'api' ? [{ group: '', versions: ['v1'] }] : registry.groupVersions();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map(
      (g): JsonObject => ({
        metadata: g.group === '' ? { creationTimestamp: null } : ({ name: g.group, creationTimestamp: null } as JsonObject),
        versions: g.versions.map((v) => ({
          version: v,
          resources: registry
            .inGroupVersion(g.group, v)
            .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0))
            .map(resourceDiscovery),
          freshness: 'Current',
        })),
      }),
    ),
  };
}

function resourceDiscovery(t: ResourceType): JsonObject {
  const responseKind = { group: t.group, version: t.version, kind: t.kind };
  const entry: JsonObject = {
    resource: t.resource,
    responseKind,
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    // Legacy 1.26 discovery leaves built-ins' singularName empty; aggregated discovery always has it.
    singularResource: t.singular === '' ? t.kind.toLowerCase() : t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames !== undefined) entry['shortNames'] = t.shortNames;
  if (t.categories !== undefined) entry['categories'] = t.categories;
  if (t.subresources.length > 0) {
    entry['subresources'] = t.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: t.group, version: t.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return entry;
}
