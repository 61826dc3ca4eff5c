/**
 * The fake controller's loop: keeps the latest object and at most one pending timer per Task,
 * re-plans (reconcile.ts) on every event and writes through a StatusWriter. Transport-agnostic:
 * events come from a TaskSource (HTTP watch or `kubectl get --watch`), and time from an injected
 * Clock so unit tests drive it without real timers.
 */
import { systemClock, type Clock } from '../../clock.ts';
import { isJsonObject, type JsonObject } from '../../json.ts';
import { actualStateOf, desiredStateOf, reconcile } from './reconcile.ts';

export type TaskEvent =
  | { readonly type: 'upsert'; readonly object: JsonObject }
  | { readonly type: 'delete'; readonly object: JsonObject }
  /** A full list (after a relist): Tasks absent from it are forgotten. */
  | { readonly type: 'sync'; readonly objects: readonly JsonObject[] };

export interface TaskSource {
  start(onEvent: (event: TaskEvent) => void): void;
  stop(): Promise<void>;
}

export interface TaskKey {
  readonly namespace: string;
  readonly name: string;
}

export type WriteOutcome =
  /** `object` is the Task as the server returned it, when the transport has it. */
  | { readonly kind: 'written'; readonly object?: JsonObject }
  /** The Task no longer exists: forget it. */
  | { readonly kind: 'gone' }
  | { readonly kind: 'failed'; readonly message: string };

export interface StatusWriter {
  writeStatus(key: TaskKey, status: JsonObject): Promise<WriteOutcome>;
}

export type ControllerState = 'idle' | 'running' | 'stopped';

export interface ControllerOptions {
  readonly source: TaskSource;
  readonly writer: StatusWriter;
  readonly delayMs: number;
  readonly clock?: Clock;
  /** Wait before re-planning after a failed write. */
  readonly retryMs?: number;
  readonly log?: (line: string) => void;
}

/** At most one timer per Task: the planned write, or the wait before re-planning after a failure. */
type Pending =
  | { readonly kind: 'write'; readonly atMs: number; readonly statusJson: string; readonly cancel: () => void }
  | { readonly kind: 'retry'; readonly cancel: () => void };

interface Entry {
  readonly key: TaskKey;
  object: JsonObject;
  desired: string | undefined;
  desiredSinceMs: number;
  actual: string | undefined;
  actualSinceMs: number;
  pending: Pending | undefined;
  write: 'idle' | 'in-flight';
}

export class Controller {
  #state: ControllerState = 'idle';
  #writes = 0;
  #delayMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #clock: Clock;
  readonly #retryMs: number;
  readonly #log: (line: string) => void;
  private readonly options: ControllerOptions;

  constructor(options: ControllerOptions) {
    this.options = options;
    this.#delayMs = options.delayMs;
    this.#clock = options.clock ?? systemClock;
    this.#retryMs = options.retryMs ?? 500;
    this.#log = options.log ?? (() => {});
  }

  get state(): ControllerState {
    return this.#state;
  }

  /** Successful status writes so far. */
  get writes(): number {
    return this.#writes;
  }

  /** Tasks currently tracked, as `namespace/name`. */
  get tracked(): readonly string[] {
    return [...this.#entries.keys()];
  }

  start(): void {
    if (this.#state !== 'idle') throw new Error(`fake controller: start() called in state ${this.#state}`);
    this.#state = 'running';
    this.options.source.start((event) => this.#onEvent(event));
  }

  setDelay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`fake controller: delay must be >= 0 ms, got ${ms}`);
    this.#delayMs = ms;
    for (const entry of this.#entries.values()) this.#plan(entry);
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const entry of this.#entries.values()) entry.pending?.cancel();
    this.#entries.clear();
    await this.options.source.stop();
    await Promise.allSettled([...this.#inFlight]);
  }

  #onEvent(event: TaskEvent): void {
    if (this.#state !== 'running') return;
    switch (event.type) {
      case 'upsert':
        this.#upsert(event.object);
        return;
      case 'delete': {
        const key = keyOf(event.object);
        if (key !== undefined) this.#forget(keyString(key));
        return;
      }
      case 'sync': {
        const seen = new Set<string>();
        for (const object of event.objects) {
          const key = keyOf(object);
          if (key === undefined) continue;
          seen.add(keyString(key));
          this.#upsert(object);
        }
        for (const id of [...this.#entries.keys()]) if (!seen.has(id)) this.#forget(id);
        return;
      }
    }
  }

  #upsert(object: JsonObject): void {
    const key = keyOf(object);
    if (key === undefined) return;
    const id = keyString(key);
    const now = this.#clock.now();
    const existing = this.#entries.get(id);
    if (existing === undefined) {
      const entry: Entry = {
        key,
        object,
        desired: desiredStateOf(object),
        desiredSinceMs: now,
        actual: actualStateOf(object),
        actualSinceMs: now,
        pending: undefined,
        write: 'idle',
      };
      this.#entries.set(id, entry);
      this.#plan(entry);
      return;
    }
    // A watch event can trail the PATCH response it caused, and a PATCH response the watch event
    // of a later change: never go back in time, but plan from what is known (an event that came in
    // while the write was in flight was not planned then).
    if (isOlder(object, existing.object)) {
      this.#plan(existing);
      return;
    }
    existing.object = object;
    const desired = desiredStateOf(object);
    if (desired !== existing.desired) {
      existing.desired = desired;
      existing.desiredSinceMs = now;
    }
    const actual = actualStateOf(object);
    if (actual !== existing.actual) {
      existing.actual = actual;
      existing.actualSinceMs = now;
    }
    this.#plan(existing);
  }

  #forget(id: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    entry.pending?.cancel();
    this.#entries.delete(id);
  }

  #plan(entry: Entry): void {
    if (this.#state !== 'running' || entry.write === 'in-flight') return;
    const plan = reconcile({
      task: entry.object,
      defaultDelayMs: this.#delayMs,
      desiredSinceMs: entry.desiredSinceMs,
      actualSinceMs: entry.actualSinceMs,
    });
    if (plan.kind === 'none') {
      entry.pending?.cancel();
      entry.pending = undefined;
      return;
    }
    const statusJson = JSON.stringify(plan.status);
    const pending = entry.pending;
    if (pending?.kind === 'write' && pending.atMs === plan.atMs && pending.statusJson === statusJson) return;
    entry.pending?.cancel();
    const status = plan.status;
    const cancel = this.#clock.setTimer(() => this.#fire(entry, status), Math.max(0, plan.atMs - this.#clock.now()));
    entry.pending = { kind: 'write', atMs: plan.atMs, statusJson, cancel };
  }

  #fire(entry: Entry, status: JsonObject): void {
    entry.pending = undefined;
    if (this.#state !== 'running' || this.#entries.get(keyString(entry.key)) !== entry) return;
    entry.write = 'in-flight';
    const done = this.#write(entry, status).finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
  }

  async #write(entry: Entry, status: JsonObject): Promise<void> {
    const id = keyString(entry.key);
    let outcome: WriteOutcome;
    try {
      outcome = await this.options.writer.writeStatus(entry.key, status);
    } catch (error) {
      outcome = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
    entry.write = 'idle';
    const current = this.#entries.get(id) === entry && this.#state === 'running';
    switch (outcome.kind) {
      case 'written':
        this.#writes += 1;
        this.#log(`fake-controller: ${id} status.state -> ${String(status['state'])}`);
        if (!current) return;
        // Without the server's copy, assume the merge landed so the same write is not planned again.
        this.#upsert(outcome.object ?? mergeStatus(entry.object, status));
        return;
      case 'gone':
        this.#log(`fake-controller: ${id} is gone, forgetting it`);
        if (current) this.#forget(id);
        return;
      case 'failed': {
        this.#log(`fake-controller: status write for ${id} failed: ${outcome.message}`);
        if (!current) return;
        const retry: Pending = {
          kind: 'retry',
          cancel: this.#clock.setTimer(() => {
            if (entry.pending === retry) entry.pending = undefined;
            this.#plan(entry);
          }, this.#retryMs),
        };
        entry.pending = retry;
        return;
      }
    }
  }
}

export function keyOf(object: JsonObject): TaskKey | undefined {
  const metadata = object['metadata'];
  if (!isJsonObject(metadata)) return undefined;
  const { name, namespace } = metadata;
  if (typeof name !== 'string' || typeof namespace !== 'string') return undefined;
  return { namespace, name };
}

function keyString(key: TaskKey): string {
  return `${key.namespace}/${key.name}`;
}

/** resourceVersions are opaque; compare only when both are plain integers (sandbox, etcd). */
function isOlder(candidate: JsonObject, current: JsonObject): boolean {
  const a = resourceVersionOf(candidate);
  const b = resourceVersionOf(current);
  if (a === undefined || b === undefined) return false;
  return a < b;
}

function resourceVersionOf(object: JsonObject): bigint | undefined {
  const metadata = object['metadata'];
  if (!isJsonObject(metadata)) return undefined;
  const rv = metadata['resourceVersion'];
  return typeof rv === 'string' && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

function mergeStatus(object: JsonObject, status: JsonObject): JsonObject {
  const previous = object['status'];
  return { ...object, status: { ...(isJsonObject(previous) ? previous : {}), ...status } };
}
