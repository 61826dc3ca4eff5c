/**
 * What happens to an object between decoding and storage: per-type defaults (Namespace labels,
 * Secret stringData, CRD status), CRD-schema pruning with the fieldValidation directive, defaulting
 * and validation into a 422 with the apiserver's causes.
 */
import type { JsonObject } from '../../json.ts';
import { decodeTypeError } from '../schema/decode-types.ts';
import { validateAgainstSchema } from '../schema/validation.ts';
import { builtinSchema } from '../schema/builtin.ts';
import { goQuote } from '../core/go-format.ts';
import { invalid as invalidValue, notSupported, type FieldCause } from '../core/field.ts';
import { ApiError, badRequest, failure, invalid } from '../core/status.ts';
import { defaultCrdSpec } from '../registry/crds.ts';
import { crdNameCauses, validateCrdSpec } from '../schema/crd-validation.ts';
import { metadataCauses } from './metadata-validation.ts';
import { meta, str } from '../core/objects.ts';
import { isJsonObject } from '../../json.ts';
import type { ResourceType } from '../registry/resources.ts';
import { applySchemaDefaults, pruneUnknownFields } from '../schema/prune.ts';
import { strictDecodingMessage } from '../schema/messages.ts';
import { nameCauses } from '../core/names.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** The directive of a request whose options validateWriteOptions accepted ('' means Warn). */
export function parseFieldValidation(value: string | null): FieldValidation {
  return value === 'Strict' || value === 'Ignore' ? value : 'Warn';
}

export type WriteOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

const FIELD_MANAGER_MAX = 128;
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** metav1 validation.ValidateFieldManager: at most 128 bytes, printable runes only. */
function fieldManagerCauses(manager: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (Buffer.byteLength(manager) > FIELD_MANAGER_MAX) {
    out.push({ reason: 'FieldValueTooLong', message: `Too long: must have at most ${FIELD_MANAGER_MAX} bytes`, field: 'fieldManager' });
  }
  let at = 0;
  for (const ch of manager) {
    if (!PRINTABLE.test(ch)) {
      const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
      out.push(invalidValue('fieldManager', manager, `invalid character ${code} (at position ${at})`));
    }
    at += Buffer.byteLength(ch);
  }
  return out;
}

/**
 * ValidateCreateOptions / ValidateUpdateOptions / ValidatePatchOptions (1.26): a 422 on the
 * options kind with every violation, before the body is decoded. `patchType` for PatchOptions.
 */
export function validateWriteOptions(kind: WriteOptionsKind, query: URLSearchParams, patchType = ''): void {
  const causes: FieldCause[] = [];
  const manager = query.get('fieldManager') ?? '';
  if (kind === 'PatchOptions') {
    if (patchType !== 'application/apply-patch+yaml') {
      if (query.has('force')) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' });
    } else if (manager === '') {
      // kubectl defaults it to "kubectl"; controllers have to set it.
      causes.push({ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' });
    }
  }
  causes.push(...fieldManagerCauses(manager));
  causes.push(...dryRunCauses(query.getAll('dryRun')));
  const validation = query.get('fieldValidation') ?? '';
  if (!['', 'Ignore', 'Strict', 'Warn'].includes(validation)) {
    causes.push(notSupported('fieldValidation', validation, ['', 'Ignore', 'Strict', 'Warn']));
  }
  if (causes.length > 0) throw invalid({ kind, group: 'meta.k8s.io', name: '', causes });
}

/** ValidateDryRun: only "All"; the bad value is the whole list, printed as Go's %#v of a []string. */
export function dryRunCauses(values: string[]): FieldCause[] {
  if (values.every((v) => v === 'All')) return [];
  const shown = `[]string{${values.map(goQuote).join(', ')}}`;
  return [{ reason: 'FieldValueNotSupported', message: `Unsupported value: ${shown}: supported values: "All"`, field: 'dryRun' }];
}

export interface AdmissionContext {
  fieldValidation: FieldValidation;
  /**
   * Where the object came from: a whole object (POST/PUT) or a patch result. The apiserver words
   * decoding errors differently for the two (see decodingError below).
   */
  decodedFrom: 'object' | 'patch';
  /** Hands out the next free ClusterIP for a new Service. */
  allocateClusterIP?: () => string;
  /** Collected `Warning:` header texts. */
  warnings: string[];
}

/**
 * POST/PUT decoding errors carry the kind and version (handlers' transformDecodeError); a patch's
 * strict errors stay bare and its type errors are a 422 on the field `patch`.
 */
function decodingError(type: ResourceType, ctx: AdmissionContext, problem: { strict: string } | { types: string; json: string }): ApiError {
  if (ctx.decodedFrom === 'object') {
    const text = 'strict' in problem ? problem.strict : problem.types;
    return badRequest(`${type.kind} in version ${JSON.stringify(type.version)} cannot be handled as a ${type.kind}: ${text}`);
  }
  if ('strict' in problem) return badRequest(problem.strict);
  const message = `Invalid value: ${goQuote(problem.json)}: ${problem.types}`;
  return new ApiError(
    422,
    failure({
      code: 422,
      reason: 'Invalid',
      message: ` "" is invalid: patch: ${message}`,
      details: { causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }] },
    }),
  );
}

/** Runs defaulting and validation; returns the (possibly pruned) object or throws an ApiError. */
export function admit(type: ResourceType, input: JsonObject, ctx: AdmissionContext, isCreate: boolean): JsonObject {
  let obj = input;
  const name = str(meta(obj)['name']);
  if (type.origin === 'crd') customResourceTypeMeta(type, obj, name);
  const schema = type.schema ?? (type.origin === 'builtin' ? builtinSchema(type.group, type.resource) : undefined);
  if (schema !== undefined) {
    if (type.origin === 'builtin') {
      const types = decodeTypeError(obj, schema);
      if (types !== undefined) throw decodingError(type, ctx, { types, json: JSON.stringify(obj) });
    }
    const { pruned, unknownFields } = pruneUnknownFields(obj, schema);
    const fields = unknownFields.map((f) => (f.startsWith('.') ? f.slice(1) : f));
    if (fields.length > 0 && ctx.fieldValidation === 'Strict') throw decodingError(type, ctx, { strict: strictDecodingMessage(fields) });
    if (ctx.fieldValidation === 'Warn') for (const f of fields) ctx.warnings.push(`unknown field ${goQuote(f)}`);
    obj = type.schema !== undefined ? applySchemaDefaults(pruned, type.schema) : pruned;
  }
  const isCrd = type.resource === 'customresourcedefinitions' && type.group === 'apiextensions.k8s.io';
  if (isCrd) defaultCrdSpec(obj);
  const causes: FieldCause[] = isCreate ? nameCauses(type, name, str(meta(obj)['generateName'])) : [];
  if (isCreate && isCrd) causes.push(...crdNameCauses(obj));
  causes.push(...metadataCauses(obj));
  switch (type.resource) {
    case 'namespaces':
      if (type.group === '') defaultNamespace(obj, name);
      break;
    case 'secrets':
      if (type.group === '') defaultSecret(obj);
      break;
    case 'services':
      if (type.group === '' && isCreate) defaultService(obj, ctx.allocateClusterIP);
      break;
    case 'customresourcedefinitions':
      if (isCrd) causes.push(...validateCrdSpec(obj));
      break;
  }
  if (type.schema !== undefined) causes.push(...validateAgainstSchema(obj, type.schema));
  if (causes.length > 0) throw invalid({ kind: type.kind, group: type.group, name, causes });
  return obj;
}

/** customResourceValidator.ValidateTypeMeta: its errors alone, when the kind or apiVersion is not the CRD's. */
function customResourceTypeMeta(type: ResourceType, obj: JsonObject, name: string): void {
  const causes: FieldCause[] = [];
  const apiVersion = `${type.group}/${type.version}`;
  if (obj['kind'] !== type.kind) causes.push(invalidValue('kind', obj['kind'], `must be ${type.kind}`));
  if (obj['apiVersion'] !== apiVersion) causes.push(invalidValue('apiVersion', obj['apiVersion'], `must be ${apiVersion}`));
  if (causes.length > 0) throw invalid({ kind: type.kind, group: type.group, name, causes });
}

function defaultNamespace(obj: JsonObject, name: string): void {
  const m = meta(obj);
  const labels = isJsonObject(m['labels']) ? m['labels'] : {};
  labels['kubernetes.io/metadata.name'] = name;
  m['labels'] = labels;
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  if (!Array.isArray(spec['finalizers'])) spec['finalizers'] = ['kubernetes'];
  obj['spec'] = spec;
  const status = isJsonObject(obj['status']) ? obj['status'] : {};
  if (status['phase'] === undefined) status['phase'] = 'Active';
  obj['status'] = status;
}

function defaultSecret(obj: JsonObject): void {
  if (obj['type'] === undefined) obj['type'] = 'Opaque';
  const stringData = obj['stringData'];
  if (isJsonObject(stringData)) {
    const data = isJsonObject(obj['data']) ? obj['data'] : {};
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    obj['data'] = data;
    delete obj['stringData'];
  }
}

/** What the Service REST strategy and allocator fill in; no proxy ever routes to these addresses. */
function defaultService(obj: JsonObject, allocate: (() => string) | undefined): void {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  obj['spec'] = spec;
  if (spec['type'] === undefined) spec['type'] = 'ClusterIP';
  if (spec['sessionAffinity'] === undefined) spec['sessionAffinity'] = 'None';
  if (Array.isArray(spec['ports'])) {
    for (const p of spec['ports']) {
      if (!isJsonObject(p)) continue;
      if (p['protocol'] === undefined) p['protocol'] = 'TCP';
      const port = p['port'];
      if (p['targetPort'] === undefined && port !== undefined) p['targetPort'] = port;
    }
  }
  if (spec['type'] === 'ExternalName') return;
  if (spec['clusterIP'] === undefined && allocate !== undefined) spec['clusterIP'] = allocate();
  if (typeof spec['clusterIP'] === 'string' && spec['clusterIPs'] === undefined) spec['clusterIPs'] = [spec['clusterIP']];
  if (spec['ipFamilies'] === undefined) spec['ipFamilies'] = ['IPv4'];
  if (spec['ipFamilyPolicy'] === undefined) spec['ipFamilyPolicy'] = 'SingleStack';
  if (spec['internalTrafficPolicy'] === undefined) spec['internalTrafficPolicy'] = 'Cluster';
}
