/**
 * A sandbox with the Task CRD, a namespace and the fake task manager, plus a Kubectl runner
 * bound to it: what the task, watch and CLI tests share.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { startFakeController, type FakeController } from '../../src/sandbox/controller/index.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TaskCluster {
  readonly sandbox: Sandbox;
  readonly controller: FakeController;
  readonly kubeconfig: string;
  /** Admin runner in the test namespace. */
  readonly kubectl: Kubectl;
  readonly namespace: string;
  /** Creates another namespace, returns its name. */
  createNamespace(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTaskCluster(options: { namespace?: string; delayMs?: number; tls?: boolean } = {}): Promise<TaskCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-task-test-'));
  const sandbox = await startSandbox({ port: 0, tls: options.tls ?? false, kubeconfigPath: path.join(dir, 'kubeconfig') });
  const namespace = options.namespace ?? 'tasks';
  const kubectl = new Kubectl({ kubeconfig: sandbox.kubeconfigPath, context: 'admin', namespace, timeoutMs: 20_000 });
  await kubectl.run(['apply', '-f', path.join(repoRoot, 'manifests', 'task-crd.yaml')], { namespace: null });
  const createNamespace = async (name: string): Promise<string> => {
    await kubectl.run(['apply', '-f', '-'], { namespace: null, stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }) });
    return name;
  };
  await createNamespace(namespace);
  const controller = await startFakeController({
    transport: {
      kind: 'http',
      url: sandbox.url,
      ...(sandbox.tokens['admin'] === undefined ? {} : { token: sandbox.tokens['admin'] }),
      ...(sandbox.caPem === undefined ? {} : { caPem: sandbox.caPem }),
    },
    delayMs: options.delayMs ?? 50,
  });
  return {
    sandbox,
    controller,
    kubeconfig: sandbox.kubeconfigPath,
    kubectl,
    namespace,
    createNamespace,
    async close() {
      await controller.stop();
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
