/**
 * The checks of apiextensions' ValidateCustomResourceDefinition (v0.26.1) that a mistyped CRD
 * hits, in its order: the name (plural.group) with the object meta, then the spec (group, scope,
 * schemas, version names, the one storage version, names), then status.storedVersions. The
 * schema itself is not checked for being structural.
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import { isJsonObject } from '../../json.ts';
import { DNS1035_LABEL, DNS1123_SUBDOMAIN } from '../core/names.ts';
import type { FieldCause } from '../core/field.ts';
import { goQuote } from '../core/go-format.ts';
import { obj, str } from '../core/objects.ts';
import { notSupported } from '../core/field.ts';

const required = (field: string, detail = ''): FieldCause => ({
  reason: 'FieldValueRequired',
  message: `Required value${detail === '' ? '' : `: ${detail}`}`,
  field,
});
/** `shown` is the bad value as the validator prints it (not always %q). */
const invalid = (field: string, shown: string, detail: string): FieldCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${shown}: ${detail}`,
  field,
});

/** The CRD's nameValidationFn beyond the DNS subdomain rule: metadata.name must be <plural>.<group>. */
export function crdNameCauses(crd: JsonObject): FieldCause[] {
  const spec = obj(crd['spec']);
  const name = str(obj(crd['metadata'])['name']);
  if (name === '' || name === `${str(obj(spec['names'])['plural'])}.${str(spec['group'])}`) return [];
  return [invalid('metadata.name', goQuote(name), 'must be spec.names.plural+"."+spec.group')];
}

/** Go's %#v of the versions list, as far as it can be written: only an absent or empty one. */
function versionsValue(versions: JsonValue | undefined): string {
  const type = '[]apiextensions.CustomResourceDefinitionVersion';
  return Array.isArray(versions) ? `${type}{${versions.length === 0 ? '' : '...'}}` : `${type}(nil)`;
}

/** validateCustomResourceDefinitionSpec and the stored versions, in the apiserver's order. */
export function validateCrdSpec(crd: JsonObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const spec = obj(crd['spec']);
  const group = str(spec['group']);
  if (group === '') causes.push(required('spec.group'));
  else {
    const errs = DNS1123_SUBDOMAIN(group);
    if (errs.length > 0) causes.push(invalid('spec.group', goQuote(group), errs.join(',')));
    else if (!group.includes('.')) causes.push(invalid('spec.group', goQuote(group), 'should be a domain with at least one dot'));
  }
  const scope = str(spec['scope']);
  if (scope === '') causes.push(required('spec.scope'));
  else if (scope !== 'Cluster' && scope !== 'Namespaced') {
    causes.push(notSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  }
  const versions = Array.isArray(spec['versions']) ? spec['versions'].map(obj) : [];
  versions.forEach((v, i) => {
    if (!isJsonObject(obj(v['schema'])['openAPIV3Schema'])) causes.push(required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
  });
  versions.forEach((v, i) => {
    const errs = DNS1035_LABEL(str(v['name']));
    if (errs.length > 0) causes.push(invalid(`spec.versions[${i}].name`, goQuote(str(v['name'])), errs.join(',')));
  });
  const storage = versions.filter((v) => v['storage'] === true).length;
  if (new Set(versions.map((v) => str(v['name']))).size !== versions.length) {
    causes.push(invalid('spec.versions', versionsValue(spec['versions']), 'must contain unique version names'));
  }
  if (storage !== 1) causes.push(invalid('spec.versions', versionsValue(spec['versions']), 'must have exactly one version marked as storage version'));
  const names = obj(spec['names']);
  for (const n of ['plural', 'singular', 'kind', 'listKind']) if (str(names[n]) === '') causes.push(required(`spec.names.${n}`));
  for (const n of ['plural', 'singular']) {
    const value = str(names[n]);
    const errs = value === '' ? [] : DNS1035_LABEL(value);
    if (errs.length > 0) causes.push(invalid(`spec.names.${n}`, goQuote(value), errs.join(',')));
  }
  for (const n of ['kind', 'listKind']) {
    const value = str(names[n]);
    const errs = value === '' ? [] : DNS1035_LABEL(value.toLowerCase());
    if (errs.length > 0) causes.push(invalid(`spec.names.${n}`, goQuote(value), `may have mixed case, but should otherwise match: ${errs.join(',')}`));
  }
  if (str(names['kind']) !== '' && names['kind'] === names['listKind']) {
    causes.push(invalid('spec.names.listKind', goQuote(str(names['listKind'])), 'kind and listKind may not be the same'));
  }
  // PrepareForCreate records the storage version; without one there is nothing stored.
  if (storage === 0) causes.push(invalid('status.storedVersions', '[]string(nil)', 'must have at least one stored version'));
  return causes;
}
