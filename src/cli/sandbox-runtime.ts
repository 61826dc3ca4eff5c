/**
 * The sandbox with its fake task manager, as the `sandbox` and `demo` commands run it. Loaded
 * lazily so that the task commands never load the sandbox.
 */
import { startSandbox, type Sandbox } from '../sandbox/index.ts';
import { startFakeController, type FakeController } from '../sandbox/controller/index.ts';

export interface RunningSandbox {
  readonly sandbox: Sandbox;
  readonly controller: FakeController | undefined;
  close(): Promise<void>;
}

export async function startSandboxWithController(options: {
  port?: number;
  tls?: boolean;
  kubeconfigPath?: string;
  controller: false | { delayMs: number };
  log?: (line: string) => void;
}): Promise<RunningSandbox> {
  const sandbox = await startSandbox({
    port: options.port ?? 0,
    tls: options.tls ?? true,
    ...(options.kubeconfigPath === undefined ? {} : { kubeconfigPath: options.kubeconfigPath }),
  });
  const controller =
    options.controller === false
      ? undefined
      : await startFakeController({
          transport: {
            kind: 'http',
            url: sandbox.url,
            ...(sandbox.tokens['admin'] === undefined ? {} : { token: sandbox.tokens['admin'] }),
            ...(sandbox.caPem === undefined ? {} : { caPem: sandbox.caPem }),
          },
          delayMs: options.controller.delayMs,
          ...(options.log === undefined ? {} : { log: options.log }),
        });
  return {
    sandbox,
    controller,
    async close() {
      await controller?.stop();
      await sandbox.close();
    },
  };
}
