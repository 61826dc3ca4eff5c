/**
 * What happens to an object between decoding and storage: per-type defaults (Namespace labels,
 * Secret stringData, CRD status), CRD-schema pruning with the fieldValidation directive, defaulting
 * and validation into a 422 with the apiserver's causes.
 */
import type { JsonObject } from '../kubectl/types.ts';
import { applySchemaDefaults, pruneUnknownFields, validateAgainstSchema, type FieldCause } from './schema.ts';
import { badRequest, invalid } from './status.ts';
import { defaultCrdSpec, validateCrd } from './crds.ts';
import { isObject, meta, nameCauses, str } from './objects.ts';
import type { ResourceType } from './resources.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function parseFieldValidation(value: string | null): FieldValidation {
  if (value === 'Strict' || value === 'Ignore') return value;
  if (value === null || value === '' || value === 'Warn') return 'Warn';
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${value}"`);
}

export interface AdmissionContext {
  fieldValidation: FieldValidation;
  /** Collected `Warning:` header texts. */
  warnings: string[];
}

/** Runs defaulting and validation; returns the (possibly pruned) object or throws an ApiError. */
export function admit(type: ResourceType, input: JsonObject, ctx: AdmissionContext, isCreate: boolean): JsonObject {
  let obj = input;
  const name = str(meta(obj)['name']);
  if (type.schema !== undefined) {
    const { pruned, unknownFields } = pruneUnknownFields(obj, type.schema);
    const fields = unknownFields.map((f) => (f.startsWith('.') ? f.slice(1) : f));
    if (fields.length > 0 && ctx.fieldValidation === 'Strict') {
      throw badRequest(`strict decoding error: ${fields.map((f) => `unknown field "${f}"`).join(', ')}`);
    }
    if (ctx.fieldValidation === 'Warn') for (const f of fields) ctx.warnings.push(`unknown field "${f}"`);
    obj = applySchemaDefaults(pruned, type.schema);
  }
  const causes: FieldCause[] = isCreate ? nameCauses(type, name) : [];
  switch (type.resource) {
    case 'namespaces':
      if (type.group === '') defaultNamespace(obj, name);
      break;
    case 'secrets':
      if (type.group === '') defaultSecret(obj);
      break;
    case 'customresourcedefinitions':
      defaultCrdSpec(obj);
      causes.push(...validateCrd(obj));
      break;
  }
  if (type.schema !== undefined) causes.push(...validateAgainstSchema(obj, type.schema));
  if (causes.length > 0) throw invalid({ kind: type.kind, group: type.group, name, causes });
  return obj;
}

function defaultNamespace(obj: JsonObject, name: string): void {
  const m = meta(obj);
  const labels = isObject(m['labels']) ? m['labels'] : {};
  labels['kubernetes.io/metadata.name'] = name;
  m['labels'] = labels;
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  if (!Array.isArray(spec['finalizers'])) spec['finalizers'] = ['kubernetes'];
  obj['spec'] = spec;
  const status = isObject(obj['status']) ? obj['status'] : {};
  if (status['phase'] === undefined) status['phase'] = 'Active';
  obj['status'] = status;
}

function defaultSecret(obj: JsonObject): void {
  if (obj['type'] === undefined) obj['type'] = 'Opaque';
  const stringData = obj['stringData'];
  if (isObject(stringData)) {
    const data = isObject(obj['data']) ? obj['data'] : {};
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    obj['data'] = data;
    delete obj['stringData'];
  }
}
