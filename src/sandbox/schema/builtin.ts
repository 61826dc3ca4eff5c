/**
 * Small structural schemas of the built-in kinds the sandbox stores, enough to prune unknown fields
 * (fieldValidation) and to reproduce the JSON decoder's type errors. Each node carries the Go type
 * the apiserver decodes into (`x-go-type`) and object nodes the Go struct name (`x-go-struct`),
 * because the decoder's messages name them (`Go struct field ConfigMap.data of type string`).
 * Large open-ended parts (PodSpec, statuses) keep unknown fields rather than guessing them all.
 */
import type { JSONSchemaProps } from './validation.ts';

const leaf = (type: string, goType: string): JSONSchemaProps => ({ type, 'x-go-type': goType });
const str = (goType = 'string'): JSONSchemaProps => leaf('string', goType);
const int32 = leaf('integer', 'int32');
const int64 = leaf('integer', 'int64');
const bool = leaf('boolean', 'bool');
/** A field with its own JSON decoding (Time, Quantity, IntOrString, RawExtension): any JSON passes. */
const opaque: JSONSchemaProps = { 'x-kubernetes-preserve-unknown-fields': true };
const strings = (goType = 'string'): JSONSchemaProps => ({ type: 'array', items: str(goType), 'x-go-type': `[]${goType}` });
const stringMap = (goType = 'string'): JSONSchemaProps => ({ type: 'object', additionalProperties: str(goType), 'x-go-type': `map[string]${goType}` });

function struct(name: string, properties: Record<string, JSONSchemaProps>, open = false): JSONSchemaProps {
  return {
    type: 'object',
    properties,
    'x-go-struct': name,
    'x-go-type': `v1.${name}`,
    ...(open ? { 'x-kubernetes-preserve-unknown-fields': true } : {}),
  };
}

const listOf = (item: JSONSchemaProps): JSONSchemaProps => ({ type: 'array', items: item, 'x-go-type': `[]${String(item['x-go-type'])}` });

const ownerReference = struct('OwnerReference', {
  apiVersion: str(),
  kind: str(),
  name: str(),
  uid: str('types.UID'),
  controller: bool,
  blockOwnerDeletion: bool,
});

/** ObjectMeta: which fields exist is pruning's business (prune.ts); these are their types. */
export const OBJECT_META: JSONSchemaProps = struct('ObjectMeta', {
  name: str(),
  generateName: str(),
  namespace: str(),
  selfLink: str(),
  uid: str('types.UID'),
  resourceVersion: str(),
  generation: int64,
  creationTimestamp: opaque,
  deletionTimestamp: opaque,
  deletionGracePeriodSeconds: int64,
  labels: stringMap(),
  annotations: stringMap(),
  ownerReferences: listOf(ownerReference),
  finalizers: strings(),
  managedFields: opaque,
});

function kind(name: string, properties: Record<string, JSONSchemaProps>): JSONSchemaProps {
  return { ...struct(name, { apiVersion: str(), kind: str(), metadata: OBJECT_META, ...properties }), 'x-kubernetes-embedded-resource': true };
}

const objectReference = struct('ObjectReference', {
  kind: str(),
  namespace: str(),
  name: str(),
  uid: str('types.UID'),
  apiVersion: str(),
  resourceVersion: str(),
  fieldPath: str(),
});
const localObjectReference = struct('LocalObjectReference', { name: str() });

const servicePort = struct('ServicePort', {
  name: str(),
  protocol: str('v1.Protocol'),
  appProtocol: str(),
  port: int32,
  targetPort: opaque,
  nodePort: int32,
});

const serviceSpec = struct('ServiceSpec', {
  ports: listOf(servicePort),
  selector: stringMap(),
  clusterIP: str(),
  clusterIPs: strings(),
  type: str('v1.ServiceType'),
  externalIPs: strings(),
  sessionAffinity: str('v1.ServiceAffinity'),
  loadBalancerIP: str(),
  loadBalancerSourceRanges: strings(),
  externalName: str(),
  externalTrafficPolicy: str('v1.ServiceExternalTrafficPolicyType'),
  healthCheckNodePort: int32,
  publishNotReadyAddresses: bool,
  sessionAffinityConfig: opaque,
  ipFamilies: strings('v1.IPFamily'),
  ipFamilyPolicy: str('v1.IPFamilyPolicy'),
  allocateLoadBalancerNodePorts: bool,
  loadBalancerClass: str(),
  internalTrafficPolicy: str('v1.ServiceInternalTrafficPolicyType'),
});

const container = struct(
  'Container',
  {
    name: str(),
    image: str(),
    command: strings(),
    args: strings(),
    workingDir: str(),
    imagePullPolicy: str('v1.PullPolicy'),
    env: opaque,
    envFrom: opaque,
    ports: opaque,
    resources: opaque,
    volumeMounts: opaque,
  },
  true,
);

const podSpec = struct(
  'PodSpec',
  {
    containers: listOf(container),
    initContainers: listOf(container),
    restartPolicy: str('v1.RestartPolicy'),
    nodeName: str(),
    serviceAccountName: str(),
    hostname: str(),
    terminationGracePeriodSeconds: int64,
  },
  true,
);

const policyRule = struct('PolicyRule', {
  verbs: strings(),
  apiGroups: strings(),
  resources: strings(),
  resourceNames: strings(),
  nonResourceURLs: strings(),
});
const subject = struct('Subject', { kind: str(), apiGroup: str(), name: str(), namespace: str() });
const roleRef = struct('RoleRef', { apiGroup: str(), kind: str(), name: str() });

const SCHEMAS: Record<string, JSONSchemaProps> = {
  '/configmaps': kind('ConfigMap', { immutable: bool, data: stringMap(), binaryData: stringMap('[]uint8') }),
  '/secrets': kind('Secret', { immutable: bool, data: stringMap('[]uint8'), stringData: stringMap(), type: str('v1.SecretType') }),
  '/serviceaccounts': kind('ServiceAccount', {
    secrets: listOf(objectReference),
    imagePullSecrets: listOf(localObjectReference),
    automountServiceAccountToken: bool,
  }),
  '/namespaces': kind('Namespace', {
    spec: struct('NamespaceSpec', { finalizers: strings('v1.FinalizerName') }),
    status: struct('NamespaceStatus', { phase: str('v1.NamespacePhase'), conditions: opaque }),
  }),
  '/services': kind('Service', { spec: serviceSpec, status: struct('ServiceStatus', {}, true) }),
  '/pods': kind('Pod', { spec: podSpec, status: struct('PodStatus', {}, true) }),
  'rbac.authorization.k8s.io/roles': kind('Role', { rules: listOf(policyRule) }),
  'rbac.authorization.k8s.io/clusterroles': kind('ClusterRole', { rules: listOf(policyRule), aggregationRule: opaque }),
  'rbac.authorization.k8s.io/rolebindings': kind('RoleBinding', { subjects: listOf(subject), roleRef }),
  'rbac.authorization.k8s.io/clusterrolebindings': kind('ClusterRoleBinding', { subjects: listOf(subject), roleRef }),
};

/** The schema of a built-in resource (`group/resource`), or undefined for kinds checked by nothing. */
export function builtinSchema(group: string, resource: string): JSONSchemaProps | undefined {
  return SCHEMAS[`${group}/${resource}`];
}
