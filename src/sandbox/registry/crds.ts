/**
 * CustomResourceDefinitions: what a CRD object turns into (served resource types with schema and
 * printer columns), the status the apiserver gives it (NamesAccepted, Established) and the few
 * checks that keep a malformed CRD out.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../../json.ts';
import { obj, str, strings } from '../core/objects.ts';
import type { ResourceType } from './resources.ts';
import type { JSONSchemaProps } from '../schema/validation.ts';
import type { PrinterColumn } from '../tables/table.ts';

const CR_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

/** The apiserver's storageVersionHash: first 8 bytes of sha256("group/version/kind"), base64. */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

/** The version's additionalPrinterColumns; `[]` makes the table convertor add its implicit Age column. */
function printerColumns(version: JsonObject): PrinterColumn[] {
  const cols = version['additionalPrinterColumns'];
  if (!Array.isArray(cols)) return [];
  return cols.map((c) => {
    const o = obj(c);
    const col: PrinterColumn = { name: str(o['name']), type: str(o['type']), jsonPath: str(o['jsonPath']) };
    if (typeof o['format'] === 'string') col.format = o['format'];
    if (typeof o['description'] === 'string') col.description = o['description'];
    if (typeof o['priority'] === 'number') col.priority = o['priority'];
    return col;
  });
}

/** The resource types a CRD serves: one per served version. */
export function crdResourceTypes(crd: JsonObject): ResourceType[] {
  const spec = obj(crd['spec']);
  const names = obj(spec['names']);
  const group = str(spec['group']);
  const kind = str(names['kind']);
  const plural = str(names['plural']);
  const namespaced = str(spec['scope']) !== 'Cluster';
  const versions = Array.isArray(spec['versions']) ? spec['versions'].map(obj) : [];
  const storage = versions.find((v) => v['storage'] === true) ?? versions[0];
  const storageVersion = storage === undefined ? '' : str(storage['name']);
  return versions
    .filter((v) => v['served'] !== false)
    .map((v): ResourceType => {
      const hasStatus = Object.hasOwn(obj(v['subresources']), 'status');
      const t: ResourceType = {
        group,
        version: str(v['name']),
        resource: plural,
        singular: str(names['singular']) || kind.toLowerCase(),
        kind,
        listKind: str(names['listKind']) || `${kind}List`,
        namespaced,
        verbs: CR_VERBS,
        storageVersionHash: storageVersionHash(group, storageVersion, kind),
        subresources: hasStatus ? [{ name: 'status', kind, verbs: ['get', 'patch', 'update'] }] : [],
        hasStatus,
        origin: 'crd',
        columns: printerColumns(v),
      };
      const shortNames = strings(names['shortNames']);
      if (shortNames.length > 0) t.shortNames = shortNames;
      const categories = strings(names['categories']);
      if (categories.length > 0) t.categories = categories;
      const schema = obj(obj(v['schema'])['openAPIV3Schema']);
      if (Object.keys(schema).length > 0) t.schema = schema as JSONSchemaProps;
      return t;
    });
}

export function defaultCrdSpec(crd: JsonObject): void {
  const spec = obj(crd['spec']);
  if (spec['conversion'] === undefined) spec['conversion'] = { strategy: 'None' };
  const names = obj(spec['names']);
  if (names['listKind'] === undefined && typeof names['kind'] === 'string') names['listKind'] = `${names['kind']}List`;
  if (names['singular'] === undefined && typeof names['kind'] === 'string') names['singular'] = names['kind'].toLowerCase();
}

/** The status of an accepted, established CRD. */
export function crdStatus(crd: JsonObject, now: string, previous?: JsonObject): JsonObject {
  const spec = obj(crd['spec']);
  const names = obj(spec['names']);
  const versions = Array.isArray(spec['versions']) ? spec['versions'].map(obj) : [];
  const storage = versions.find((v) => v['storage'] === true);
  const prevStored = strings(obj(previous?.['status'])['storedVersions']);
  const stored = [...prevStored];
  if (storage !== undefined && !stored.includes(str(storage['name']))) stored.push(str(storage['name']));
  const prevConditions = Array.isArray(obj(previous?.['status'])['conditions']) ? (obj(previous?.['status'])['conditions'] as JsonValue[]).map(obj) : [];
  const since = (type: string): string => str(prevConditions.find((c) => c['type'] === type)?.['lastTransitionTime']) || now;
  return {
    acceptedNames: { ...names },
    conditions: [
      { lastTransitionTime: since('NamesAccepted'), message: 'no conflicts found', reason: 'NoConflicts', status: 'True', type: 'NamesAccepted' },
      {
        lastTransitionTime: since('Established'),
        message: 'the initial names have been accepted',
        reason: 'InitialNamesAccepted',
        status: 'True',
        type: 'Established',
      },
    ],
    storedVersions: stored,
  };
}
