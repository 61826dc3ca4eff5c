/**
 * The fake Task controller: stands in for the in-cluster ALICE task manager so that status.state
 * follows spec.state on the sandbox (and on any cluster without the operator). See reconcile.ts
 * for the behaviour and the annotation test hooks.
 */
import type { Kubectl } from '../../kubectl/runner.ts';
import { Controller } from './controller.ts';
import type { StatusWriter, TaskSource } from './controller.ts';
import { HttpStatusWriter, HttpTaskSource } from './http.ts';
import { createNodeHttpClient } from './http-client.ts';
import { KubectlStatusWriter, KubectlTaskSource } from './kubectl.ts';
import { DEFAULT_DELAY_MS } from './reconcile.ts';

export {
  ANNOTATION_DELAY_MS,
  ANNOTATION_DONE_AFTER_MS,
  ANNOTATION_ERROR_MESSAGE,
  ANNOTATION_ERROR_ON,
  ANNOTATION_STUCK,
  DEFAULT_DELAY_MS,
} from './reconcile.ts';

export type FakeControllerTransport =
  | { readonly kind: 'http'; readonly url: string; readonly token?: string; readonly caPem?: string }
  | { readonly kind: 'kubectl'; readonly kubectl: Kubectl };

export interface FakeControllerOptions {
  readonly transport: FakeControllerTransport;
  /** Watch one namespace; all namespaces when absent. */
  readonly namespace?: string;
  /** Default delay before status follows spec (200 ms). */
  readonly delayMs?: number;
  readonly log?: (line: string) => void;
}

export interface FakeController {
  readonly state: 'running' | 'stopped';
  /** Successful status writes so far. */
  readonly writes: number;
  setDelay(ms: number): void;
  stop(): Promise<void>;
}

export async function startFakeController(options: FakeControllerOptions): Promise<FakeController> {
  const delayMs = options.delayMs ?? DEFAULT_DELAY_MS;
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new Error(`startFakeController: options.delayMs must be >= 0, got ${String(options.delayMs)}`);
  }
  const log = options.log;
  const namespace = options.namespace;
  const common = { ...(namespace === undefined ? {} : { namespace }), ...(log === undefined ? {} : { log }) };
  let source: TaskSource;
  let writer: StatusWriter;
  let release: () => void = () => {};
  const transport = options.transport;
  switch (transport.kind) {
    case 'http': {
      const client = createNodeHttpClient({
        url: transport.url,
        ...(transport.token === undefined ? {} : { token: transport.token }),
        ...(transport.caPem === undefined ? {} : { caPem: transport.caPem }),
      });
      source = new HttpTaskSource({ client, ...common });
      writer = new HttpStatusWriter(client);
      release = () => client.close();
      break;
    }
    case 'kubectl':
      source = new KubectlTaskSource({ kubectl: transport.kubectl, ...common });
      writer = new KubectlStatusWriter(transport.kubectl);
      break;
  }
  const controller = new Controller({ source, writer, delayMs, ...(log === undefined ? {} : { log }) });
  controller.start();
  return {
    get state() {
      return controller.state === 'stopped' ? 'stopped' : 'running';
    },
    get writes() {
      return controller.writes;
    },
    setDelay: (ms) => controller.setDelay(ms),
    async stop() {
      await controller.stop();
      release();
    },
  };
}
