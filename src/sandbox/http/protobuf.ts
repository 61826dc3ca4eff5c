/**
 * Decodes the protobuf request bodies kubectl sends for built-in kinds (`kubectl create
 * namespace|configmap|secret|serviceaccount|role|rolebinding|service …` POST
 * `application/vnd.kubernetes.protobuf`, and client-go has no JSON fallback for protobuf). Only
 * the fields those commands can set are mapped; the result is the JSON object the API would get.
 */
import type { JsonObject, JsonValue } from '../../json.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

type Scalar = 'string' | 'bytes' | 'bool' | 'int';
interface Field {
  readonly name: string;
  readonly type: Scalar | 'map' | 'mapBytes' | 'intOrString' | Message;
  readonly repeated?: boolean;
}
type Message = { readonly [fieldNumber: number]: Field };

const OBJECT_META: Message = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  11: { name: 'labels', type: 'map' },
  12: { name: 'annotations', type: 'map' },
  14: { name: 'finalizers', type: 'string', repeated: true },
};
const POLICY_RULE: Message = {
  1: { name: 'verbs', type: 'string', repeated: true },
  2: { name: 'apiGroups', type: 'string', repeated: true },
  3: { name: 'resources', type: 'string', repeated: true },
  4: { name: 'resourceNames', type: 'string', repeated: true },
  5: { name: 'nonResourceURLs', type: 'string', repeated: true },
};
const BINDING: Message = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'subjects', type: { 1: { name: 'kind', type: 'string' }, 2: { name: 'apiGroup', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'namespace', type: 'string' } }, repeated: true },
  3: { name: 'roleRef', type: { 1: { name: 'apiGroup', type: 'string' }, 2: { name: 'kind', type: 'string' }, 3: { name: 'name', type: 'string' } } },
};
const SERVICE_PORT: Message = {
  1: { name: 'name', type: 'string' },
  2: { name: 'protocol', type: 'string' },
  3: { name: 'port', type: 'int' },
  4: { name: 'targetPort', type: 'intOrString' },
  5: { name: 'nodePort', type: 'int' },
};

// `kubectl auth can-i` sends a SelfSubjectAccessReview through a typed client.
const RESOURCE_ATTRIBUTES: Message = {
  1: { name: 'namespace', type: 'string' }, 2: { name: 'verb', type: 'string' }, 3: { name: 'group', type: 'string' },
  4: { name: 'version', type: 'string' }, 5: { name: 'resource', type: 'string' }, 6: { name: 'subresource', type: 'string' },
  7: { name: 'name', type: 'string' },
};
const ACCESS_REVIEW: Message = {
  1: { name: 'metadata', type: OBJECT_META },
  2: { name: 'spec', type: { 1: { name: 'resourceAttributes', type: RESOURCE_ATTRIBUTES }, 2: { name: 'nonResourceAttributes', type: { 1: { name: 'path', type: 'string' }, 2: { name: 'verb', type: 'string' } } } } },
};

const KINDS: Readonly<Record<string, Message>> = {
  SelfSubjectAccessReview: ACCESS_REVIEW,
  // `kubectl auth can-i --list`: only the namespace to list the rules of.
  SelfSubjectRulesReview: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: { 1: { name: 'namespace', type: 'string' } } } },
  Namespace: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: { 1: { name: 'finalizers', type: 'string', repeated: true } } } },
  ConfigMap: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'data', type: 'map' }, 3: { name: 'binaryData', type: 'mapBytes' }, 4: { name: 'immutable', type: 'bool' } },
  Secret: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'data', type: 'mapBytes' }, 3: { name: 'type', type: 'string' }, 4: { name: 'stringData', type: 'map' }, 5: { name: 'immutable', type: 'bool' } },
  ServiceAccount: { 1: { name: 'metadata', type: OBJECT_META }, 3: { name: 'imagePullSecrets', type: { 1: { name: 'name', type: 'string' } }, repeated: true }, 4: { name: 'automountServiceAccountToken', type: 'bool' } },
  Role: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'rules', type: POLICY_RULE, repeated: true } },
  ClusterRole: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'rules', type: POLICY_RULE, repeated: true } },
  RoleBinding: BINDING,
  ClusterRoleBinding: BINDING,
  Service: {
    1: { name: 'metadata', type: OBJECT_META },
    2: {
      name: 'spec',
      type: {
        1: { name: 'ports', type: SERVICE_PORT, repeated: true },
        2: { name: 'selector', type: 'map' },
        3: { name: 'clusterIP', type: 'string' },
        4: { name: 'type', type: 'string' },
        5: { name: 'externalIPs', type: 'string', repeated: true },
        11: { name: 'externalName', type: 'string' },
      },
    },
  },
};

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

export function isKubernetesProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

/** `k8s\0` + runtime.Unknown{typeMeta, raw} → the object as JSON. */
export function decodeKubernetesProtobuf(body: Buffer): JsonObject {
  if (!isKubernetesProtobuf(body)) throw new ProtobufError('missing the k8s protobuf magic prefix');
  const unknown = readMessage(body.subarray(4), { 1: { name: 'typeMeta', type: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } }, 2: { name: 'raw', type: 'bytes' } }, { keepRawBytes: true });
  const typeMeta = (unknown['typeMeta'] ?? {}) as JsonObject;
  const apiVersion = typeof typeMeta['apiVersion'] === 'string' ? typeMeta['apiVersion'] : '';
  const kind = typeof typeMeta['kind'] === 'string' ? typeMeta['kind'] : '';
  const schema = KINDS[kind];
  if (schema === undefined) throw new ProtobufError(`protobuf bodies are not supported for kind "${kind}"; send application/json`);
  const raw = rawBytes.get(unknown);
  return { apiVersion, kind, ...(raw === undefined ? {} : readMessage(raw, schema)) };
}

// The raw object bytes stay binary: kept aside instead of being forced into a JSON value.
const rawBytes = new WeakMap<JsonObject, Buffer>();

function readMessage(buf: Buffer, schema: Message, options: { keepRawBytes?: boolean } = {}): JsonObject {
  const out: JsonObject = {};
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    const fieldNumber = Number(key >> 3n);
    const wireType = Number(key & 7n);
    pos = afterKey;
    let value: bigint | Buffer;
    if (wireType === 0) [value, pos] = readVarint(buf, pos);
    else if (wireType === 2) {
      const [length, start] = readVarint(buf, pos);
      pos = start + Number(length);
      if (pos > buf.length) throw new ProtobufError('truncated protobuf message');
      value = buf.subarray(start, pos);
    } else if (wireType === 1) [value, pos] = [buf.subarray(pos, pos + 8), pos + 8];
    else if (wireType === 5) [value, pos] = [buf.subarray(pos, pos + 4), pos + 4];
    else throw new ProtobufError(`unsupported protobuf wire type ${wireType}`);
    const field = schema[fieldNumber];
    if (field === undefined) continue; // a field kubectl set that we do not model: dropped
    if (options.keepRawBytes && field.name === 'raw' && Buffer.isBuffer(value)) {
      rawBytes.set(out, value);
      continue;
    }
    assign(out, field, value);
  }
  return out;
}

function assign(out: JsonObject, field: Field, value: bigint | Buffer): void {
  if (field.type === 'map' || field.type === 'mapBytes') {
    const entry = readMessage(asBuffer(value), { 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: field.type === 'map' ? 'string' : 'bytes' } });
    const map = (out[field.name] ?? {}) as JsonObject;
    map[String(entry['key'] ?? '')] = entry['value'] ?? '';
    out[field.name] = map;
    return;
  }
  const decoded = decodeValue(field, value);
  if (field.repeated) {
    const list = (out[field.name] ?? []) as JsonValue[];
    list.push(decoded);
    out[field.name] = list;
  } else if (!isEmpty(decoded)) {
    out[field.name] = decoded;
  }
}

function decodeValue(field: Field, value: bigint | Buffer): JsonValue {
  switch (field.type) {
    case 'string':
      return asBuffer(value).toString('utf8');
    case 'bytes':
      return asBuffer(value).toString('base64');
    case 'bool':
      return value === 1n;
    case 'int':
      return typeof value === 'bigint' ? Number(BigInt.asIntN(64, value)) : 0;
    case 'intOrString': {
      const v = readMessage(asBuffer(value), { 1: { name: 'type', type: 'int' }, 2: { name: 'intVal', type: 'int' }, 3: { name: 'strVal', type: 'string' } });
      return v['type'] === 1 ? (v['strVal'] ?? '') : (v['intVal'] ?? 0);
    }
    case 'map':
    case 'mapBytes':
      throw new ProtobufError('maps are decoded by assign()');
    default:
      return readMessage(asBuffer(value), field.type);
  }
}

/** Go's omitempty: zero values of optional fields do not appear in the JSON form. */
function isEmpty(value: JsonValue): boolean {
  return value === '' || value === false || value === 0 || (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);
}

function asBuffer(value: bigint | Buffer): Buffer {
  if (typeof value === 'bigint') throw new ProtobufError('expected a length-delimited field, got a varint');
  return value;
}

function readVarint(buf: Buffer, start: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  let pos = start;
  for (;;) {
    const byte = buf[pos];
    if (byte === undefined) throw new ProtobufError('truncated varint');
    pos += 1;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
    if (shift > 63n) throw new ProtobufError('varint too long');
  }
}
