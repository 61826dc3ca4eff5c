/**
 * The protobuf messages of the built-in kinds that kubectl sends as protobuf, by field number:
 * only the fields its `create` commands can set (data for protobuf.ts).
 */

export type Scalar = 'string' | 'bytes' | 'bool' | 'int';
export interface Field {
  readonly name: string;
  readonly type: Scalar | 'map' | 'mapBytes' | 'intOrString' | Message;
  readonly repeated?: boolean;
}
export type Message = { readonly [fieldNumber: number]: Field };

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
  2: {
    name: 'subjects',
    type: {
      1: { name: 'kind', type: 'string' },
      2: { name: 'apiGroup', type: 'string' },
      3: { name: 'name', type: 'string' },
      4: { name: 'namespace', type: 'string' },
    },
    repeated: true,
  },
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
  1: { name: 'namespace', type: 'string' },
  2: { name: 'verb', type: 'string' },
  3: { name: 'group', type: 'string' },
  4: { name: 'version', type: 'string' },
  5: { name: 'resource', type: 'string' },
  6: { name: 'subresource', type: 'string' },
  7: { name: 'name', type: 'string' },
};
const ACCESS_REVIEW: Message = {
  1: { name: 'metadata', type: OBJECT_META },
  2: {
    name: 'spec',
    type: {
      1: { name: 'resourceAttributes', type: RESOURCE_ATTRIBUTES },
      2: { name: 'nonResourceAttributes', type: { 1: { name: 'path', type: 'string' }, 2: { name: 'verb', type: 'string' } } },
    },
  },
};

export const KINDS: Readonly<Record<string, Message>> = {
  SelfSubjectAccessReview: ACCESS_REVIEW,
  // `kubectl auth can-i --list`: only the namespace to list the rules of.
  SelfSubjectRulesReview: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: { 1: { name: 'namespace', type: 'string' } } } },
  Namespace: { 1: { name: 'metadata', type: OBJECT_META }, 2: { name: 'spec', type: { 1: { name: 'finalizers', type: 'string', repeated: true } } } },
  ConfigMap: {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'data', type: 'map' },
    3: { name: 'binaryData', type: 'mapBytes' },
    4: { name: 'immutable', type: 'bool' },
  },
  Secret: {
    1: { name: 'metadata', type: OBJECT_META },
    2: { name: 'data', type: 'mapBytes' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'map' },
    5: { name: 'immutable', type: 'bool' },
  },
  ServiceAccount: {
    1: { name: 'metadata', type: OBJECT_META },
    3: { name: 'imagePullSecrets', type: { 1: { name: 'name', type: 'string' } }, repeated: true },
    4: { name: 'automountServiceAccountToken', type: 'bool' },
  },
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

/** runtime.Unknown, the envelope after the magic prefix: typeMeta and the raw bytes of the object. */
export const UNKNOWN: Message = {
  1: { name: 'typeMeta', type: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } },
  2: { name: 'raw', type: 'bytes' },
};
