/**
 * The embedded sandbox API server and its fake task manager, in a process of their own so that
 * the API server's CPU never counts as the cost of a strategy. Started by bench/run.ts with an
 * IPC channel; says `ready` with what a client needs, sets the controller's delay when asked, and
 * stops (removing its kubeconfig) when asked or when the orchestrator is gone.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startSandbox } from '../src/sandbox/index.ts';

export type HostRequest = { readonly type: 'delay'; readonly ms: number } | { readonly type: 'stop' };
export type HostAnswer =
  | { readonly type: 'ready'; readonly kubeconfigPath: string; readonly url: string; readonly token: string; readonly caPem?: string }
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly message: string };

function isHostRequest(value: unknown): value is HostRequest {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  return value.type === 'stop' || (value.type === 'delay' && 'ms' in value && typeof value.ms === 'number');
}

async function main(): Promise<void> {
  const crdPath = process.argv[2];
  const namespace = process.argv[3] ?? 'bench';
  if (crdPath === undefined) throw new Error('sandbox-host: usage: sandbox-host.ts CRD.yaml [NAMESPACE]');
  const dir = await mkdtemp(join(tmpdir(), 'kubectl-task-bench-sandbox-'));
  const sandbox = await startSandbox({ kubeconfigPath: join(dir, 'kubeconfig'), namespace, controller: { delayMs: 0 } });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= sandbox.close().finally(() => rm(dir, { recursive: true, force: true }));
    return stopping;
  };
  process.on('disconnect', () => {
    void stop().finally(() => process.exit(0));
  });
  type Doc = Parameters<typeof sandbox.store.put>[0];
  const docs = parseAllDocuments(await readFile(crdPath, 'utf8')).map((d) => d.toJSON() as unknown);
  for (const doc of docs) if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) sandbox.store.put(doc as Doc);
  const token = sandbox.tokens['admin'];
  if (token === undefined) throw new Error('sandbox-host: no admin token');
  process.on('message', (message: unknown) => {
    if (!isHostRequest(message)) return;
    if (message.type === 'delay') {
      sandbox.controller?.setDelay(message.ms);
      process.send?.({ type: 'done' } satisfies HostAnswer);
      return;
    }
    void stop().then(() => {
      process.send?.({ type: 'done' } satisfies HostAnswer);
      process.disconnect();
    });
  });
  process.send?.({
    type: 'ready',
    kubeconfigPath: sandbox.kubeconfigPath,
    url: sandbox.url,
    token,
    ...(sandbox.caPem === undefined ? {} : { caPem: sandbox.caPem }),
  } satisfies HostAnswer);
}

main().catch((error: unknown) => {
  process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies HostAnswer);
  process.exitCode = 1;
  process.disconnect?.();
});
