/**
 * Starts a sandbox API server for a test: free port, TLS, kubeconfig in a temp dir, the Task CRD
 * installed and a namespace created. `env` points kubectl at it (KUBECONFIG, a private cache dir).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { JsonObject } from '../../src/json.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.ts';
import { REFERENCE_ENV, UPSTREAM_CRD } from './reference.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PROJECT_CRD = join(REPO_ROOT, 'manifests', 'task-crd.yaml');
// The upstream CRD sits with the reference recordings, outside the repository (see reference.ts).
export { UPSTREAM_CRD };

export interface TestSandboxOptions extends SandboxOptions {
  /**
   * Which Task CRD to install: the project's (default), the upstream one (only with the reference:
   * guard with referencePresent() or skipWithoutReference()), or none.
   */
  crd?: 'project' | 'upstream' | 'none';
}

export interface TestSandbox {
  sandbox: Sandbox;
  kubeconfig: string;
  namespace: string;
  /** process.env plus KUBECONFIG and KUBECACHEDIR for this sandbox. */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function loadManifest(path: string): Promise<JsonObject[]> {
  const text = await readFile(path, 'utf8');
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d): d is JsonObject => typeof d === 'object' && d !== null && !Array.isArray(d));
}

export async function startTestSandbox(options: TestSandboxOptions = {}): Promise<TestSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'kubectl-task-test-'));
  const namespace = options.namespace ?? 'test';
  const { crd = 'project', ...sandboxOptions } = options;
  const sandbox = await startSandbox({ ...sandboxOptions, namespace, kubeconfigPath: join(dir, 'kubeconfig') });
  try {
    const crdPath = crd === 'none' ? undefined : crd === 'project' ? PROJECT_CRD : UPSTREAM_CRD;
    if (crdPath !== undefined && !existsSync(crdPath)) {
      throw new Error(
        `startTestSandbox({ crd: '${crd}' }): ${crdPath} does not exist${crd === 'upstream' ? ` (set ${REFERENCE_ENV} or skip the test with skipWithoutReference)` : ''}`,
      );
    }
    if (crdPath !== undefined) for (const doc of await loadManifest(crdPath)) sandbox.store.put(doc);
  } catch (e) {
    await sandbox.close();
    throw e;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: sandbox.kubeconfigPath, KUBECACHEDIR: join(dir, 'cache') };
  return {
    sandbox,
    kubeconfig: sandbox.kubeconfigPath,
    namespace,
    env,
    cleanup: async () => {
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** How a kubectl process ended, and all it wrote. */
export interface KubectlRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl (the one on PATH) with `env` (a TestSandbox's, say) and `stdin` as its whole input. */
export function runKubectl(env: NodeJS.ProcessEnv, args: string[], stdin = ''): Promise<KubectlRun> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
