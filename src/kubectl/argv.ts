/**
 * argv building: connection flags and the namespace, never a shell. Each element is handed to the
 * kernel as one argument, so `; rm -rf /` in a value stays a harmless string.
 */

export interface KubectlConnection {
  /** Binary to run (default 'kubectl'); a name looked up on PATH or a path. */
  binary?: string;
  kubeconfig?: string;
  context?: string;
  /** Default namespace for calls that name none. */
  namespace?: string;
}

/** Namespace of one call: a name, `null` for "no -n at all" (cluster-scoped or all-namespace calls), undefined for the connection default. */
export type NamespaceChoice = string | null | undefined;

const NAMESPACE_FLAGS = new Set(['-n', '--namespace', '-A', '--all-namespaces']);

function mentionsNamespace(args: readonly string[]): boolean {
  return args.some((arg) => NAMESPACE_FLAGS.has(arg) || arg.startsWith('--namespace=') || arg.startsWith('-n='));
}

/**
 * Full argv after the binary: global connection flags first (valid before any kubectl subcommand),
 * then `-n <ns>`, then the caller's args unchanged. A namespace flag already in `args` wins.
 */
export function buildArgv(connection: KubectlConnection, args: readonly string[], namespace: NamespaceChoice): string[] {
  const out: string[] = [];
  if (connection.kubeconfig !== undefined) out.push(`--kubeconfig=${connection.kubeconfig}`);
  if (connection.context !== undefined) out.push(`--context=${connection.context}`);
  const ns = namespace === undefined ? connection.namespace : namespace;
  if (ns !== null && ns !== undefined && !mentionsNamespace(args)) out.push('-n', ns);
  out.push(...args);
  return out;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** TypeError naming the field when a connection value cannot be right. */
export function validateConnection(value: Partial<KubectlConnection>, where: string): void {
  for (const key of ['binary', 'kubeconfig', 'context', 'namespace'] as const) {
    const field = value[key];
    if (field === undefined) continue;
    if (typeof field !== 'string' || field.trim() === '') {
      throw new TypeError(`${where}.${key} must be a non-empty string, got ${typeof field === 'string' ? JSON.stringify(field) : typeof field}`);
    }
  }
  if (value.namespace !== undefined) validateNamespace(value.namespace, `${where}.namespace`);
}

export function validateNamespace(namespace: string, where: string): void {
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new TypeError(`${where} ${JSON.stringify(namespace)} is not a valid namespace name (lower-case DNS label, at most 63 characters)`);
  }
}
