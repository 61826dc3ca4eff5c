/**
 * A test sandbox (see sandbox.ts) plus the fake task manager and an admin Kubectl runner bound
 * to it: what the task, watch, kubectl and CLI tests share.
 */
import type { FakeController } from '../../src/sandbox/controller/index.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { REPO_ROOT, startTestSandbox } from './sandbox.ts';

export const repoRoot = REPO_ROOT;

export interface TaskCluster {
  readonly sandbox: Sandbox;
  readonly controller: FakeController;
  readonly kubeconfig: string;
  /** Admin runner in the test namespace. */
  readonly kubectl: Kubectl;
  readonly namespace: string;
  close(): Promise<void>;
}

export async function startTaskCluster(options: { namespace?: string; delayMs?: number; tls?: boolean } = {}): Promise<TaskCluster> {
  const namespace = options.namespace ?? 'tasks';
  const test = await startTestSandbox({ namespace, tls: options.tls ?? false, crd: 'project', controller: { delayMs: options.delayMs ?? 50 } });
  const { sandbox } = test;
  const controller = sandbox.controller;
  if (controller === undefined) throw new Error('startTestSandbox did not start the fake controller');
  return {
    sandbox,
    controller,
    kubeconfig: sandbox.kubeconfigPath,
    kubectl: new Kubectl({ kubeconfig: sandbox.kubeconfigPath, context: 'admin', namespace, timeoutMs: 20_000, env: test.env }),
    namespace,
    async close() {
      await test.cleanup();
    },
  };
}
