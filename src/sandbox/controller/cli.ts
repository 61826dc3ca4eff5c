/**
 * `kubectl-task fake-controller [--namespace N]`: runs the fake controller through kubectl against
 * whatever cluster the kubeconfig names, until the signal aborts (Ctrl-C in the CLI).
 */
import { Kubectl } from '../../kubectl/runner.ts';
import { type FakeController, startFakeController } from './index.ts';

export interface FakeControllerCommandArgs {
  /** kubectl binary (default `kubectl` on PATH). */
  readonly binary?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly delayMs?: number;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

/** Resolves with the process exit code: 0 after a clean stop, 1 when it could not start. */
export async function runFakeControllerCommand(args: FakeControllerCommandArgs): Promise<number> {
  let kubectl: Kubectl;
  try {
    kubectl = new Kubectl({
      ...(args.binary === undefined ? {} : { binary: args.binary }),
      ...(args.kubeconfig === undefined ? {} : { kubeconfig: args.kubeconfig }),
      ...(args.context === undefined ? {} : { context: args.context }),
    });
  } catch (error) {
    args.log(`fake-controller: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (args.signal.aborted) return 0;
  let controller: FakeController;
  try {
    controller = await startFakeController({
      transport: { kind: 'kubectl', kubectl },
      ...(args.namespace === undefined ? {} : { namespace: args.namespace }),
      ...(args.delayMs === undefined ? {} : { delayMs: args.delayMs }),
      log: args.log,
    });
  } catch (error) {
    args.log(`fake-controller: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  args.log(`fake-controller: watching Tasks in ${args.namespace === undefined ? 'all namespaces' : `namespace ${args.namespace}`}`);
  await new Promise<void>((resolve) => {
    if (args.signal.aborted) resolve();
    else args.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await controller.stop();
  args.log(`fake-controller: stopped after ${controller.writes} status writes`);
  return 0;
}
