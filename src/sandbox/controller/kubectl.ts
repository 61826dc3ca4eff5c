/**
 * kubectl transport of the fake controller: everything through the Kubectl runner, so the same
 * controller also drives Tasks on a real cluster without the upstream operator (k3s, kind).
 * Watches with `kubectl get <tasks> --watch -o json --output-watch-events` (compact JSON, one
 * event a line) and restarts it with backoff whenever kubectl exits (CRD missing, 410, network).
 * kubectl gives no "initial list complete" marker, so there is no sync event: a Task deleted while
 * kubectl was down is forgotten when its next status write answers NotFound.
 */
import { isKubectlError } from '../../kubectl/errors.ts';
import type { KubectlResult } from '../../kubectl/types.ts';
import { isJsonObject, parseJson, type JsonObject } from '../../json.ts';
import { sleepUntilAborted, type Sleep } from '../../clock.ts';
import { Backoff } from '../../watch/backoff.ts';
import { JsonValueSplitter } from '../../watch/json-stream.ts';
import type { StatusWriter, TaskEvent, TaskKey, WriteOutcome } from './controller.ts';
import { LoopingTaskSource } from './source-loop.ts';
import { taskEventOf } from './watch-event.ts';

/** Fully qualified, so a `tasks` resource of another group can never shadow ours. */
export const TASK_RESOURCE = 'tasks.v1alpha1.aliecs.alice.cern';
/** A healthy watch that ran this long resets the restart backoff. */
const HEALTHY_RUN_MS = 10_000;

/** The part of src/kubectl/runner.ts's Kubectl this transport uses. */
export interface ControllerKubectl {
  run(args: readonly string[], options?: { namespace?: string | null }): Promise<KubectlResult>;
  stream(
    args: readonly string[],
    options: { onLine: (line: string) => void; onStderrLine?: (line: string) => void; namespace?: string | null },
  ): { readonly done: Promise<KubectlResult>; stop(): void };
}

export interface KubectlTransportOptions {
  readonly kubectl: ControllerKubectl;
  /** Watch one namespace; all namespaces when absent. */
  readonly namespace?: string;
  readonly sleep?: Sleep;
  readonly now?: () => number;
  readonly backoff?: Backoff;
  readonly log?: (line: string) => void;
}

export class KubectlTaskSource extends LoopingTaskSource {
  #current: { stop(): void } | undefined;
  readonly #options: KubectlTransportOptions;
  readonly #sleep: Sleep;
  readonly #now: () => number;
  readonly #backoff: Backoff;
  readonly #log: (line: string) => void;

  constructor(options: KubectlTransportOptions) {
    super('kubectl');
    this.#options = options;
    this.#sleep = options.sleep ?? sleepUntilAborted;
    this.#now = options.now ?? Date.now;
    this.#backoff = options.backoff ?? new Backoff({ initialMs: 250, maxMs: 2000, jitter: 0 });
    this.#log = options.log ?? (() => {});
  }

  protected override onStop(): void {
    this.#current?.stop();
  }

  protected async run(onEvent: (event: TaskEvent) => void): Promise<void> {
    const ns = this.#options.namespace;
    const args = ['get', TASK_RESOURCE, ...(ns === undefined ? ['-A'] : []), '--watch', '-o', 'json', '--output-watch-events'];
    while (this.running) {
      const splitter = new JsonValueSplitter();
      let lastStderr = '';
      const startedAt = this.#now();
      const watch = this.#options.kubectl.stream(args, {
        namespace: ns ?? null,
        onLine: (line) => {
          for (const text of splitter.push(line)) {
            // An ERROR event ends kubectl's watch: the restart below is the relist.
            const event = taskEventOf(parseJson(text));
            if (event !== undefined && event !== 'error') onEvent(event);
          }
        },
        onStderrLine: (line) => {
          if (line.trim() !== '') lastStderr = line.trim();
        },
      });
      this.#current = watch;
      if (!this.running) watch.stop();
      const result = await watch.done;
      this.#current = undefined;
      if (!this.running) return;
      if (this.#now() - startedAt >= HEALTHY_RUN_MS) this.#backoff.reset();
      const wait = this.#backoff.next();
      this.#log(
        `fake-controller: kubectl watch exited (code ${String(result.exitCode)}${lastStderr === '' ? '' : `: ${lastStderr}`}), restarting in ${wait} ms`,
      );
      await this.#sleep(wait, this.abort.signal);
    }
  }
}

export class KubectlStatusWriter implements StatusWriter {
  readonly #kubectl: ControllerKubectl;

  constructor(kubectl: ControllerKubectl) {
    this.#kubectl = kubectl;
  }

  async writeStatus(key: TaskKey, status: JsonObject): Promise<WriteOutcome> {
    const args = ['patch', TASK_RESOURCE, key.name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status }), '-o', 'json'];
    try {
      const result = await this.#kubectl.run(args, { namespace: key.namespace });
      const object = parseJson(result.stdout);
      return isJsonObject(object) ? { kind: 'written', object } : { kind: 'written' };
    } catch (error) {
      if (isKubectlError(error) && error.reason === 'NotFound') return { kind: 'gone' };
      return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
  }
}
