/** kubeconfig files pointing kubectl at the sandbox: one cluster `sandbox`, one user entry per context. */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigArgs {
  server: string;
  /** PEM of the CA; written base64-encoded as certificate-authority-data. */
  caPem?: string;
  /** `user` is the identity's name (for readers); the user entry is named after the context. */
  users: { context: string; user: string; token: string }[];
  currentContext: string;
  /** Default namespace of every context. */
  namespace?: string;
}

export const KUBECONFIG_CLUSTER = 'sandbox';

export function renderKubeconfig(args: KubeconfigArgs): string {
  const names = args.users.map((u) => u.context);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new Error(`renderKubeconfig: context "${duplicate}" is listed twice in users`);
  if (!names.includes(args.currentContext)) {
    throw new Error(`renderKubeconfig: currentContext "${args.currentContext}" is not one of the contexts (${names.join(', ')})`);
  }
  const cluster: Record<string, string> = { server: args.server };
  if (args.caPem !== undefined) cluster['certificate-authority-data'] = Buffer.from(args.caPem).toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: KUBECONFIG_CLUSTER, cluster }],
    users: args.users.map((u) => ({ name: u.context, user: { token: u.token } })),
    contexts: args.users.map((u) => ({
      name: u.context,
      context: { cluster: KUBECONFIG_CLUSTER, user: u.context, ...(args.namespace !== undefined ? { namespace: args.namespace } : {}) },
    })),
    'current-context': args.currentContext,
  };
  return stringify(doc);
}

/** Writes the kubeconfig (parent directories created, mode 0600 since it holds tokens). */
export async function writeKubeconfig(path: string, args: KubeconfigArgs): Promise<void> {
  const text = renderKubeconfig(args);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file; an existing file keeps its old mode.
  await chmod(path, 0o600);
}
