/**
 * Which kinds are cluster-scoped. Without a server we cannot ask discovery, so the list holds the
 * built-in cluster-scoped kinds a manifest could plausibly carry; a task must create none of them.
 */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'Node',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'CSIDriver',
  'APIService',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'CertificateSigningRequest',
]);

export function isClusterScopedKind(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

export interface NamespaceSources {
  /** -n / --namespace */
  readonly explicit?: string;
  /** The kubeconfig context's namespace. */
  readonly context?: string;
}

export type NamespaceDecision = { readonly kind: 'ok'; readonly namespace: string } | { readonly kind: 'conflict'; readonly message: string };

/**
 * kubectl's precedence: explicit > the objects' own metadata.namespace > context > `default`.
 * `objectNamespaces` are the distinct namespaces written in the manifest.
 */
export function decideNamespace(objectNamespaces: readonly string[], sources: NamespaceSources): NamespaceDecision {
  const explicit = nonEmpty(sources.explicit);
  if (explicit !== undefined) {
    const other = objectNamespaces.find((ns) => ns !== explicit);
    if (other !== undefined) {
      return {
        kind: 'conflict',
        message:
          `the namespace from the provided object "${other}" does not match the namespace "${explicit}". ` +
          `You must pass '--namespace=${other}' to perform this operation.`,
      };
    }
    return { kind: 'ok', namespace: explicit };
  }
  if (objectNamespaces.length > 1) {
    return {
      kind: 'conflict',
      message: `objects are in different namespaces (${objectNamespaces.join(', ')}); all objects of a task must share one`,
    };
  }
  return { kind: 'ok', namespace: objectNamespaces[0] ?? nonEmpty(sources.context) ?? 'default' };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
