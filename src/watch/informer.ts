/**
 * A shared informer over kubectl, after client-go's reflector and @kubernetes/client-node's
 * ListWatch: ONE `kubectl get <type> -l <selector> --watch -o json --output-watch-events` for a
 * namespace (or all of them) feeds a cache keyed by namespace/name, and every subscriber hears
 * only its own key. kubectl itself lists (printing each object as ADDED) and then watches from
 * the list's resourceVersion, so nothing falls between the two.
 *
 * Each (re)start of that stream also reads the collection once with `kubectl get --raw`, which,
 * unlike `get -o json`, keeps the list's own resourceVersion R. A cached object missing from that
 * list and older than R was deleted (or left the selection) while no watch was running: the cache
 * reports it gone instead of keeping it forever. Objects are replaced only by newer ones (see
 * isOlder), so the list and kubectl's ADDED replay report nothing twice.
 *
 * The stream restarts when it ends: at once after a watch that worked, with a backoff (reset once
 * events flow) when it keeps failing, and at once on an ERROR event such as 410 Expired, since a
 * fresh list is what fixes that. Health changes are reported so the owner can tell an outage.
 */
import createDebug from 'debug';
import type { Kubectl } from '../kubectl/runner.ts';
import { KubectlError } from '../kubectl/errors.ts';
import { classify } from '../kubectl/classify.ts';
import { TRANSIENT_REASONS, type KubeObject } from '../kubectl/types.ts';
import { isJsonObject, parseJson } from '../json.ts';
import { isOlder } from '../task/status-tracker.ts';
import { sleepUntilAborted, type Sleep } from '../clock.ts';
import { Backoff } from './backoff.ts';
import { JsonValueSplitter, isNamedObject, parseWatchEvent } from './json-stream.ts';

const debug = createDebug('kubectl-task:informer');

export type InformerEvent =
  /** A newer version of an object in the selection (first sight included). */
  | { readonly type: 'upsert'; readonly key: string; readonly object: KubeObject; readonly previous?: KubeObject }
  /** The object left the cache: a DELETED event (deleted, or no longer matching the selector), or absent from a relist. */
  | { readonly type: 'gone'; readonly key: string; readonly last: KubeObject; readonly via: 'watch' | 'relist' }
  /** A list completed and the cache is reconciled with it. */
  | { readonly type: 'synced' }
  /** The stream could not be (re)started, or works again. */
  | { readonly type: 'health'; readonly healthy: boolean; readonly error?: KubectlError };

export interface InformerOptions {
  readonly kubectl: Kubectl;
  /** The type as kubectl names it in argv (`tasks.v1alpha1.aliecs.alice.cern`). */
  readonly resource: string;
  /** The collection's API path without namespace part, for the raw list (`/apis/aliecs.alice.cern/v1alpha1`, `tasks`). */
  readonly apiPath: { readonly groupVersion: string; readonly plural: string };
  /** A namespace, or `null` for all namespaces (`-A`). */
  readonly namespace: string | null;
  readonly labelSelector: string;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** The backoff between restarts (default sleepUntilAborted: stop() never waits one out). */
  readonly sleep?: Sleep;
}

export function keyOf(object: KubeObject): string {
  const namespace = object.metadata.namespace;
  return `${typeof namespace === 'string' ? namespace : ''}/${object.metadata.name}`;
}

export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private readonly listeners = new Set<(event: InformerEvent) => void>();
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly sleep: Sleep;
  private stopStream: (() => void) | undefined;
  private healthy = true;
  /** The last round's list failed: the next list that answers ends an outage. */
  private listFailing = false;
  private loop: Promise<void> | undefined;
  private firstSync: Promise<void> | undefined;
  private resolveFirstSync: (() => void) | undefined;
  private rejectFirstSync: ((error: Error) => void) | undefined;
  /** Restarts of the stream so far (tests and the benchmark read it). */
  restarts = 0;

  constructor(private readonly options: InformerOptions) {
    this.backoff = new Backoff(options.backoff ?? { initialMs: 250, maxMs: 10_000 });
    this.sleep = options.sleep ?? sleepUntilAborted;
  }

  get isHealthy(): boolean {
    return this.healthy;
  }

  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  on(listener: (event: InformerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts the stream; resolves once the first list is in the cache. A first list that fails for
   * a reason retrying cannot fix (Forbidden, Invalid, no kubectl) rejects; transient ones retry.
   */
  start(): Promise<void> {
    this.firstSync ??= new Promise<void>((resolve, reject) => {
      this.resolveFirstSync = resolve;
      this.rejectFirstSync = reject;
      this.loop = this.run();
    });
    return this.firstSync;
  }

  /** Ends the stream; resolves once the kubectl processes are gone. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.stopStream?.();
    await this.loop;
  }

  private emit(event: InformerEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private setHealth(healthy: boolean, error?: KubectlError): void {
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    this.emit({ type: 'health', healthy, ...(error === undefined ? {} : { error }) });
  }

  /** Applies one object unless the cache holds the same or a newer version of it. */
  private upsert(object: KubeObject): void {
    const key = keyOf(object);
    const previous = this.cache.get(key);
    if (previous !== undefined && isOlder(object, previous)) return;
    this.cache.set(key, object);
    this.emit({ type: 'upsert', key, object, ...(previous === undefined ? {} : { previous }) });
  }

  private remove(key: string, via: 'watch' | 'relist'): void {
    const last = this.cache.get(key);
    if (last === undefined) return;
    this.cache.delete(key);
    this.emit({ type: 'gone', key, last, via });
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const outcome = await this.streamOnce();
      if (this.abort.signal.aborted) break;
      if (outcome === 'failed') await this.sleep(this.backoff.next(), this.abort.signal);
      else if (outcome === 'quiet') await this.sleep(this.backoff.next(), this.abort.signal);
      this.restarts += 1;
    }
  }

  /** 'again': restart now; 'quiet': ended before any change came through; 'failed': kubectl failed. */
  private async streamOnce(): Promise<'again' | 'quiet' | 'failed'> {
    const splitter = new JsonValueSplitter();
    let changes = 0;
    let expired = false;
    const namespaceArgs = this.options.namespace === null ? ['--all-namespaces'] : [];
    const stream = this.options.kubectl.stream(
      ['get', this.options.resource, '-l', this.options.labelSelector, ...namespaceArgs, '--watch', '-o', 'json', '--output-watch-events'],
      {
        namespace: this.options.namespace,
        signal: this.abort.signal,
        onLine: (line) => {
          for (const text of splitter.push(line)) {
            const event = parseWatchEvent(text);
            if (event === undefined) continue;
            if (event.type === 'ERROR') {
              // 410 Expired and friends end this watch whatever kubectl does next: relist now.
              debug('%s: watch ERROR %s', this.options.resource, JSON.stringify(event.object).slice(0, 200));
              expired = true;
              stream.stop();
              continue;
            }
            if (event.type === 'BOOKMARK') continue;
            if (event.type !== 'ADDED') {
              changes += 1;
              this.backoff.reset();
            }
            if (event.type === 'DELETED') this.remove(keyOf(event.object), 'watch');
            else this.upsert(event.object);
          }
        },
      },
    );
    this.stopStream = () => stream.stop();
    // A list that failed leaves in the cache what was deleted while no watch ran, and the watch
    // will never tell: end this stream at once, so the loop lists again (after the backoff),
    // instead of trusting a stale cache for as long as this watch lasts.
    let listFailed = false;
    const relisted = this.relist().then((error) => {
      if (error !== undefined && !this.abort.signal.aborted) {
        listFailed = true;
        stream.stop();
      }
      return error;
    });
    const [result, listOutcome] = await Promise.all([stream.done, relisted]);
    this.stopStream = undefined;
    const recovered = listOutcome === undefined && this.listFailing;
    this.listFailing = listOutcome !== undefined;
    if (this.abort.signal.aborted) return 'again';
    if (expired) return 'again';
    const failure = listFailed ? undefined : classify(result);
    const error = failure === undefined ? listOutcome : new KubectlError({ ...failure, result, attempts: 1 });
    if (error !== undefined) {
      debug('%s: stream failed: %s', this.options.resource, error.message);
      this.setHealth(false, error);
      // The list answered after lists had failed: the server is back, and this round's watch
      // failed because it started before it was. Waiting out the outage's backoff (up to 10 s)
      // unhealthy would outlast a short unreachable grace period and report the tasks
      // TASK_UNREACHABLE a second time: start again from the shortest delay.
      if (recovered) this.backoff.reset();
      if (this.rejectFirstSync !== undefined && !TRANSIENT_REASONS.has(error.reason)) {
        this.rejectFirstSync(error);
        this.rejectFirstSync = undefined;
        this.resolveFirstSync = undefined;
        this.abort.abort();
      }
      return 'failed';
    }
    return changes > 0 ? 'again' : 'quiet';
  }

  /** The raw list: reconciles the cache with the server's current set; returns the error, if any. */
  private async relist(): Promise<KubectlError | undefined> {
    const { groupVersion, plural } = this.options.apiPath;
    const where = this.options.namespace === null ? '' : `/namespaces/${encodeURIComponent(this.options.namespace)}`;
    const path = `${groupVersion}${where}/${plural}?labelSelector=${encodeURIComponent(this.options.labelSelector)}`;
    let text: string;
    try {
      text = (await this.options.kubectl.run(['get', '--raw', path], { namespace: null, signal: this.abort.signal })).stdout;
    } catch (error) {
      if (this.abort.signal.aborted) return undefined;
      if (error instanceof KubectlError) return error;
      throw error;
    }
    const list = parseList(text);
    if (list === undefined) return new KubectlError({ reason: 'Unknown', message: `kubectl get --raw ${path}: not a list` });
    const present = new Set<string>();
    for (const object of list.items) {
      present.add(keyOf(object));
      this.upsert(object);
    }
    for (const [key, cached] of [...this.cache]) {
      if (!present.has(key) && listedAfter(list.resourceVersion, cached)) this.remove(key, 'relist');
    }
    this.setHealth(true);
    this.emit({ type: 'synced' });
    this.resolveFirstSync?.();
    this.resolveFirstSync = undefined;
    this.rejectFirstSync = undefined;
    return undefined;
  }
}

/**
 * True when the list at `listVersion` is newer than the cached object, so its absence there
 * means it is gone. Without integer versions the list is taken as the newer view.
 */
function listedAfter(listVersion: string | undefined, cached: KubeObject): boolean {
  const objectVersion = cached.metadata['resourceVersion'];
  if (listVersion === undefined || typeof objectVersion !== 'string' || !/^\d+$/.test(listVersion) || !/^\d+$/.test(objectVersion)) return true;
  return BigInt(objectVersion) <= BigInt(listVersion);
}

function parseList(text: string): { items: KubeObject[]; resourceVersion?: string } | undefined {
  const value = parseJson(text);
  if (!isJsonObject(value) || !Array.isArray(value['items'])) return undefined;
  const items = (value['items'] as unknown[]).filter(isNamedObject);
  const metadata = value['metadata'];
  const resourceVersion = isJsonObject(metadata) && typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
  return { items, ...(resourceVersion === undefined || resourceVersion === '' ? {} : { resourceVersion }) };
}
