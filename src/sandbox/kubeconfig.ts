/** kubeconfig files pointing kubectl at the sandbox. */
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigArgs {
  server: string;
  caPem?: string;
  users: { context: string; user: string; token: string }[];
  currentContext: string;
  namespace?: string;
}

const CLUSTER = 'sandbox';

export function renderKubeconfig(args: KubeconfigArgs): string {
  const cluster: Record<string, string> = { server: args.server };
  if (args.caPem !== undefined) cluster['certificate-authority-data'] = Buffer.from(args.caPem).toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: CLUSTER, cluster }],
    users: args.users.map((u) => ({ name: u.context, user: { token: u.token } })),
    contexts: args.users.map((u) => ({
      name: u.context,
      context: { cluster: CLUSTER, user: u.context, ...(args.namespace !== undefined ? { namespace: args.namespace } : {}) },
    })),
    'current-context': args.currentContext,
  };
  return stringify(doc);
}

export async function writeKubeconfig(path: string, args: KubeconfigArgs): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderKubeconfig(args), { mode: 0o600 });
  // writeFile's mode only applies on creation; an existing file keeps its old mode otherwise.
  await chmod(path, 0o600);
}
