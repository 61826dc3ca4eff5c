/**
 * Direct HTTP(S) transport of the fake controller, for when it runs inside the sandbox's own
 * process: LIST then WATCH the Task collection (relisting on 410 Gone or when the stream ends),
 * and merge-patch the status subresource. Waits for the CRD: a 404 on the list is retried every
 * 250 ms, because the Task CRD is usually applied after the controller starts.
 */
import type { JsonObject } from '../../json.ts';
import { isJsonObject, parseJson } from '../../json.ts';
import { sleepUntilAborted, type Sleep } from '../../clock.ts';
import { Backoff } from '../../watch/backoff.ts';
import type { StatusWriter, TaskEvent, TaskKey, WriteOutcome } from './controller.ts';
import { LoopingTaskSource } from './source-loop.ts';
import type { HttpClient, HttpResponse } from './http-client.ts';
import { taskEventOf } from './watch-event.ts';

export const TASKS_API = '/apis/aliecs.alice.cern/v1alpha1';
const CRD_WAIT_MS = 250;

export interface HttpTransportOptions {
  readonly client: HttpClient;
  /** Watch one namespace; all namespaces when absent. */
  readonly namespace?: string;
  readonly sleep?: Sleep;
  readonly backoff?: Backoff;
  readonly log?: (line: string) => void;
}

type WatchOutcome = 'relist' | 'stopped';

export class HttpTaskSource extends LoopingTaskSource {
  readonly #options: HttpTransportOptions;
  readonly #sleep: Sleep;
  readonly #backoff: Backoff;
  readonly #log: (line: string) => void;

  constructor(options: HttpTransportOptions) {
    super('http');
    this.#options = options;
    this.#sleep = options.sleep ?? sleepUntilAborted;
    this.#backoff = options.backoff ?? new Backoff({ initialMs: 250, maxMs: 5000, jitter: 0 });
    this.#log = options.log ?? (() => {});
  }

  get #collection(): string {
    const ns = this.#options.namespace;
    return ns === undefined ? `${TASKS_API}/tasks` : `${TASKS_API}/namespaces/${encodeURIComponent(ns)}/tasks`;
  }

  protected async run(onEvent: (event: TaskEvent) => void): Promise<void> {
    const signal = this.abort.signal;
    while (this.running) {
      const listed = await this.#list();
      if (!this.running) return;
      if (listed.kind === 'crd-missing') {
        await this.#sleep(CRD_WAIT_MS, signal);
        continue;
      }
      if (listed.kind === 'failed') {
        this.#log(`fake-controller: list ${this.#collection} failed: ${listed.message}`);
        await this.#sleep(this.#backoff.next(), signal);
        continue;
      }
      onEvent({ type: 'sync', objects: listed.items });
      this.#backoff.reset();
      const outcome = await this.#watch(listed.resourceVersion, onEvent);
      if (outcome === 'stopped') return;
    }
  }

  async #list(): Promise<{ kind: 'ok'; items: JsonObject[]; resourceVersion: string } | { kind: 'crd-missing' } | { kind: 'failed'; message: string }> {
    let res: HttpResponse;
    try {
      res = await this.#options.client.request({ method: 'GET', path: this.#collection });
    } catch (error) {
      return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
    if (res.status === 404) return { kind: 'crd-missing' };
    if (res.status !== 200) return { kind: 'failed', message: `HTTP ${res.status}: ${statusMessage(res.body)}` };
    const parsed = parseJson(res.body);
    const items = isJsonObject(parsed) && Array.isArray(parsed['items']) ? parsed['items'].filter(isJsonObject) : undefined;
    const metadata = isJsonObject(parsed) ? parsed['metadata'] : undefined;
    const rv = isJsonObject(metadata) ? metadata['resourceVersion'] : undefined;
    if (items === undefined || typeof rv !== 'string') {
      return { kind: 'failed', message: 'list response has no items or no metadata.resourceVersion' };
    }
    return { kind: 'ok', items, resourceVersion: rv };
  }

  async #watch(resourceVersion: string, onEvent: (event: TaskEvent) => void): Promise<WatchOutcome> {
    const query = `watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}`;
    let gone = false;
    let lines = 0;
    const end = await this.#options.client.streamLines(
      `${this.#collection}?${query}`,
      (line) => {
        lines += 1;
        const event = taskEventOf(parseJson(line));
        // ERROR: 410 Gone (resourceVersion too old) and anything else: start over from a fresh list.
        // A BOOKMARK is nothing: the next relist picks a fresh resourceVersion anyway.
        if (event === 'error') gone = true;
        else if (event !== undefined) onEvent(event);
      },
      this.abort.signal,
    );
    if (end.kind === 'aborted' || !this.running) return 'stopped';
    if (end.kind === 'http-error' || end.kind === 'network-error') {
      const detail = end.kind === 'http-error' ? `HTTP ${end.status}: ${statusMessage(end.body)}` : end.message;
      this.#log(`fake-controller: watch ${this.#collection} failed: ${detail}`);
      await this.#sleep(this.#backoff.next(), this.abort.signal);
    } else if (gone) {
      this.#log(`fake-controller: watch ${this.#collection} expired, relisting`);
    } else if (lines === 0) {
      // A server that ends every watch at once must not turn the relist into a busy loop.
      await this.#sleep(this.#backoff.next(), this.abort.signal);
    }
    return 'relist';
  }
}

export class HttpStatusWriter implements StatusWriter {
  readonly #client: HttpClient;

  constructor(client: HttpClient) {
    this.#client = client;
  }

  async writeStatus(key: TaskKey, status: JsonObject): Promise<WriteOutcome> {
    const path = `${TASKS_API}/namespaces/${encodeURIComponent(key.namespace)}/tasks/${encodeURIComponent(key.name)}/status`;
    const res = await this.#client.request({
      method: 'PATCH',
      path,
      body: JSON.stringify({ status }),
      contentType: 'application/merge-patch+json',
    });
    if (res.status === 404) return { kind: 'gone' };
    if (res.status !== 200) return { kind: 'failed', message: `PATCH ${path}: HTTP ${res.status}: ${statusMessage(res.body)}` };
    const object = parseJson(res.body);
    return isJsonObject(object) ? { kind: 'written', object } : { kind: 'written' };
  }
}

/** The `message` of a Kubernetes Status body, or the start of the body. */
function statusMessage(body: string): string {
  const parsed = parseJson(body);
  if (isJsonObject(parsed) && typeof parsed['message'] === 'string') return parsed['message'];
  return body.slice(0, 200);
}
