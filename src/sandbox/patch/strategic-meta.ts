/**
 * The patch metadata (patchStrategy / patchMergeKey struct tags of k8s.io/api) that strategic
 * merge patch needs for the built-in kinds the sandbox serves. Lists not described here are atomic.
 */

export interface ListMeta {
  /** Merge items by this key; absent for a merged list of primitives (a set). */
  mergeKey?: string;
  item?: FieldMeta;
}

export interface FieldMeta {
  fields?: Record<string, FieldMeta>;
  list?: ListMeta;
}

const byName = (item?: FieldMeta): FieldMeta => ({ list: { mergeKey: 'name', ...(item ? { item } : {}) } });
const set: FieldMeta = { list: {} };

const OBJECT_META: FieldMeta = {
  fields: {
    finalizers: set,
    ownerReferences: { list: { mergeKey: 'uid' } },
  },
};

const CONTAINER: FieldMeta = {
  fields: {
    ports: { list: { mergeKey: 'containerPort' } },
    env: byName(),
    volumeMounts: { list: { mergeKey: 'mountPath' } },
    volumeDevices: { list: { mergeKey: 'devicePath' } },
    resizePolicy: { list: { mergeKey: 'resourceName' } },
  },
};

const POD_SPEC: FieldMeta = {
  fields: {
    volumes: byName(),
    initContainers: byName(CONTAINER),
    containers: byName(CONTAINER),
    ephemeralContainers: byName(CONTAINER),
    imagePullSecrets: byName(),
    hostAliases: { list: { mergeKey: 'ip' } },
    resourceClaims: byName(),
    schedulingGates: byName(),
  },
};

const POD_STATUS: FieldMeta = {
  fields: {
    conditions: { list: { mergeKey: 'type' } },
    podIPs: { list: { mergeKey: 'ip' } },
  },
};

const withMeta = (fields: Record<string, FieldMeta>): FieldMeta => ({ fields: { metadata: OBJECT_META, ...fields } });

/** Root metadata per kind; kinds missing here have no strategic patch support in the sandbox. */
export const STRATEGIC_KINDS: Record<string, FieldMeta> = {
  Namespace: withMeta({ status: { fields: { conditions: { list: { mergeKey: 'type' } } } } }),
  ConfigMap: withMeta({}),
  Secret: withMeta({}),
  ServiceAccount: withMeta({ secrets: byName(), imagePullSecrets: byName() }),
  Service: withMeta({
    spec: { fields: { ports: { list: { mergeKey: 'port' } } } },
    status: { fields: { conditions: { list: { mergeKey: 'type' } } } },
  }),
  Pod: withMeta({ spec: POD_SPEC, status: POD_STATUS }),
  Role: withMeta({}),
  RoleBinding: withMeta({}),
};
