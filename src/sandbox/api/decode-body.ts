/**
 * The body of a POST or PUT as kube-apiserver 1.26 decodes it, with its errors (400): the JSON
 * serializer first reads apiVersion and kind (SimpleMetaFactory.Interpret, "couldn't get
 * version/kind; json parse error: ..."), a custom resource is decoded as Unstructured (which needs
 * a kind) and converted to the served version by the apiextensions crConverter; the handler words
 * the failure with transformDecodeError ("X in version "v" cannot be handled as a Y: ..." when the
 * kind is known, else "the object provided is unrecognized (must be of type Y): ... (summary)").
 */
import type { JsonObject, JsonValue } from '../../json.ts';
import { isJsonObject } from '../../json.ts';
import { FIND_KIND, goJsonKind, goJsonSyntaxError } from '../core/go-json.ts';
import type { ResourceType } from '../registry/resources.ts';
import { badRequest } from '../core/status.ts';

/** summarizeData: up to 30 bytes, as text when it looks like an object, else in hex. */
function summarize(data: Buffer): string {
  if (data.length === 0) return '<empty>';
  const head = data.subarray(0, 30);
  const more = data.length > 30 ? ' ...' : '';
  return data[0] === 0x7b ? `${head.toString('utf8')}${more}` : `${head.toString('hex')}${more}`;
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** schema.ParseGroupVersion. */
function parseGroupVersion(apiVersion: string): { group: string; version: string } | string {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  const [group = '', version = ''] = parts;
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group, version };
  return `unexpected GroupVersion string: ${apiVersion}`;
}

/** The Go package of a group's internal types, as reflect names them in conversion errors. */
const INTERNAL_PACKAGE: Record<string, string> = {
  '': 'core',
  'rbac.authorization.k8s.io': 'rbac',
  'authorization.k8s.io': 'authorization',
  'apiextensions.k8s.io': 'apiextensions',
};

/**
 * Decodes a JSON request body for `type`; throws the apiserver's 400 for one it cannot take.
 * `siblings`: the kinds the scheme knows in the type's group/version (another one of them is
 * decoded as what it is, and then cannot be converted to this type).
 */
export function decodeObjectBody(type: ResourceType, raw: Buffer, siblings: readonly string[] = []): JsonObject {
  const unrecognized = (why: string) => badRequest(`the object provided is unrecognized (must be of type ${type.kind}): ${why} (${summarize(raw)})`);
  const handled = (gvk: GroupVersionKind, why: string) =>
    badRequest(`${gvk.kind} in version ${JSON.stringify(gvk.version)} cannot be handled as a ${type.kind}: ${why}`);
  const text = raw.toString('utf8');
  const syntax = goJsonSyntaxError(raw);
  if (syntax !== undefined) throw unrecognized(`couldn't get version/kind; json parse error: ${syntax}`);
  const value = JSON.parse(text) as JsonValue;
  if (value !== null && !isJsonObject(value)) {
    throw unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonKind(value)} into Go value of type ${FIND_KIND}`);
  }
  const obj: JsonObject = value ?? {};
  for (const field of ['apiVersion', 'kind']) {
    const v = obj[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonKind(v)} into Go struct field .${field} of type string`);
    }
  }
  const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : '';
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
  const gv = parseGroupVersion(apiVersion);
  if (typeof gv === 'string') throw unrecognized(gv);
  if (type.origin !== 'crd') {
    const sameVersion = gv.group === type.group && gv.version === type.version;
    if (sameVersion && kind !== '' && kind !== type.kind && siblings.includes(kind)) {
      const internal = INTERNAL_PACKAGE[type.group] ?? type.group.split('.')[0];
      throw handled({ ...gv, kind }, `converting (${type.version}.${kind}) to (${internal}.${type.kind}): unknown conversion`);
    }
    return obj;
  }
  // Unstructured: the kind must be in the data; the defaults (the endpoint's) only fill in for null.
  if (value === null) throw handled({ group: type.group, version: type.version, kind: type.kind }, "Object 'Kind' is missing in 'null'");
  if (kind === '') throw unrecognized(`Object 'Kind' is missing in '${text}'`);
  // crConverter.ConvertToVersion to the served version.
  const from: GroupVersionKind = { ...gv, kind };
  if (from.group !== type.group) {
    throw handled(from, `${from.group}/${from.version}, Kind=${kind} is unstructured and is not suitable for converting to "${type.group}/${type.version}"`);
  }
  if (from.version !== type.version) throw handled(from, `request to convert CR from an invalid group/version: ${apiVersion}`);
  return obj;
}
