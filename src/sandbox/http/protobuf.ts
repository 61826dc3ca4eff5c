/**
 * Decodes the protobuf request bodies kubectl sends for built-in kinds (`kubectl create
 * namespace|configmap|secret|serviceaccount|role|rolebinding|service …` POST
 * `application/vnd.kubernetes.protobuf`, and client-go has no JSON fallback for protobuf). Only
 * the fields those commands can set are mapped; the result is the JSON object the API would get.
 */
import { isJsonObject, type JsonObject, type JsonValue } from '../../json.ts';
import { KINDS, UNKNOWN, type Field, type Message } from './protobuf-messages.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

export function isKubernetesProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

/** `k8s\0` + runtime.Unknown{typeMeta, raw} → the object as JSON. */
export function decodeKubernetesProtobuf(body: Buffer): JsonObject {
  if (!isKubernetesProtobuf(body)) throw new ProtobufError('missing the k8s protobuf magic prefix');
  const unknown = readMessage(body.subarray(4), UNKNOWN, { keepRawBytes: true });
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
  return value === '' || value === false || value === 0 || (isJsonObject(value) && Object.keys(value).length === 0);
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
