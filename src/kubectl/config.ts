/**
 * What the kubeconfig says, read through kubectl itself so KUBECONFIG, --kubeconfig and --context
 * are resolved exactly as kubectl resolves them.
 */
import type { Kubectl } from './runner.ts';

/** The namespace of the current (or --context) context; undefined when the context sets none. */
export async function contextNamespace(kubectl: Kubectl): Promise<string | undefined> {
  const result = await kubectl.run(['config', 'view', '--minify', '-o', 'jsonpath={.contexts[0].context.namespace}'], {
    namespace: null,
    retry: false,
  });
  const namespace = result.stdout.trim();
  return namespace === '' ? undefined : namespace;
}
