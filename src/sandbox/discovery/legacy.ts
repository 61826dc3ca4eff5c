/**
 * Legacy (pre-aggregated) discovery documents as kube-apiserver 1.26 serves them (aggregated
 * discovery for newer emulated versions is in aggregated.ts): /api, /apis,
 * /apis/<group>, /api/v1 and /apis/<group>/<version>. kubectl then fetches every group version.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import type { ResourceRegistry, ResourceType } from '../registry/resources.ts';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
}

export function versionDocument(v: VersionInfo, buildDate: string): string {
  const doc = {
    major: v.major,
    minor: v.minor,
    gitVersion: v.gitVersion,
    gitCommit: '8f94681cd294aa8cfd3407b8191f6c70214973a4',
    gitTreeState: 'clean',
    buildDate,
    goVersion: 'go1.19.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
  // The apiserver indents /version and writes no final newline.
  return JSON.stringify(doc, null, 2);
}

export function apiVersions(serverAddress: string): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(group: string, versions: string[]): JsonObject {
  const vs = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  const [preferred] = vs;
  return { name: group, versions: vs, ...(preferred !== undefined ? { preferredVersion: preferred } : {}) };
}

export function apiGroupList(registry: ResourceRegistry): JsonObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry.groupVersions().map((g) => groupEntry(g.group, g.versions)),
  };
}

export function apiGroup(registry: ResourceRegistry, group: string): JsonObject | undefined {
  const g = registry.groupVersions().find((x) => x.group === group);
  if (g === undefined) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(g.group, g.versions) };
}

function resourceEntries(t: ResourceType): JsonValue[] {
  const main: JsonObject = { name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
  if (t.shortNames !== undefined) main['shortNames'] = t.shortNames;
  if (t.categories !== undefined) main['categories'] = t.categories;
  if (t.storageVersionHash !== undefined) main['storageVersionHash'] = t.storageVersionHash;
  const subs = t.subresources.map(
    (s): JsonObject => ({ name: `${t.resource}/${s.name}`, singularName: '', namespaced: t.namespaced, kind: s.kind, verbs: s.verbs }),
  );
  return [main, ...subs];
}

/** APIResourceList of one group version, or undefined when nothing is served there. */
export function apiResourceList(registry: ResourceRegistry, group: string, version: string): JsonObject | undefined {
  const types = registry.inGroupVersion(group, version).sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
  if (types.length === 0) return undefined;
  const resources = types.flatMap(resourceEntries);
  // The core group's list has no apiVersion field on 1.26; the others do.
  if (group === '') return { kind: 'APIResourceList', groupVersion: version, resources };
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
}
