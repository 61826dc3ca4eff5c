/**
 * In-memory object storage with one global resourceVersion counter (like etcd's revision) and a
 * bounded history of change events for watches. Objects are kept with their serialized JSON so
 * GET and LIST never re-serialize unchanged objects.
 */
import type { JsonObject } from '../../json.ts';

export interface StoredObject {
  readonly obj: JsonObject;
  readonly json: string;
  readonly resourceVersion: number;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: ChangeType;
  /** Registry key of the resource type: `aliecs.alice.cern/tasks`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: number;
  readonly stored: StoredObject;
  /** The state before a MODIFIED event, so watches can turn selector moves into ADDED/DELETED. */
  readonly previous?: StoredObject;
}

export type StoreListener = (event: StoreEvent) => void;

export interface StoreOptions {
  /** How many change events stay available to watches that start from an older resourceVersion. */
  historySize?: number;
  /** First resourceVersion handed out minus one. */
  initialResourceVersion?: number;
}

function metaOf(obj: JsonObject): JsonObject {
  const m = obj['metadata'];
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('storage: object without metadata');
  return m;
}

export class Store {
  private readonly data = new Map<string, Map<string, Map<string, StoredObject>>>();
  private readonly history: StoreEvent[] = [];
  private readonly historySize: number;
  private readonly listeners = new Set<StoreListener>();
  private rv: number;
  /** resourceVersion before the oldest event still in history; older watches get 410. */
  private horizon: number;

  constructor(options: StoreOptions = {}) {
    this.historySize = options.historySize ?? 2000;
    this.rv = options.initialResourceVersion ?? 100;
    this.horizon = this.rv;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may still start from. */
  get oldestWatchable(): number {
    return this.horizon;
  }

  get(key: string, namespace: string, name: string): StoredObject | undefined {
    return this.data.get(key)?.get(namespace)?.get(name);
  }

  /** Objects of one type, in etcd key order (namespace, then name); all namespaces when ns is undefined. */
  list(key: string, namespace?: string): StoredObject[] {
    const byNs = this.data.get(key);
    if (byNs === undefined) return [];
    const namespaces = namespace === undefined ? [...byNs.keys()].sort() : [namespace];
    const out: StoredObject[] = [];
    for (const ns of namespaces) {
      const objs = byNs.get(ns);
      if (objs === undefined) continue;
      for (const name of [...objs.keys()].sort()) {
        const o = objs.get(name);
        if (o !== undefined) out.push(o);
      }
    }
    return out;
  }

  count(key: string): number {
    let n = 0;
    for (const objs of this.data.get(key)?.values() ?? []) n += objs.size;
    return n;
  }

  /**
   * Writes an object, stamping metadata.resourceVersion with the next revision. The caller hands
   * over ownership of `obj` (it is mutated and kept).
   */
  put(key: string, obj: JsonObject, type: 'ADDED' | 'MODIFIED'): StoredObject {
    const meta = metaOf(obj);
    const name = String(meta['name']);
    const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
    this.rv++;
    meta['resourceVersion'] = String(this.rv);
    const stored: StoredObject = { obj, json: JSON.stringify(obj), resourceVersion: this.rv };
    let byNs = this.data.get(key);
    if (byNs === undefined) {
      byNs = new Map();
      this.data.set(key, byNs);
    }
    let objs = byNs.get(namespace);
    if (objs === undefined) {
      objs = new Map();
      byNs.set(namespace, objs);
    }
    const previous = objs.get(name);
    objs.set(name, stored);
    this.emit({ type, key, namespace, name, resourceVersion: this.rv, stored, ...(previous !== undefined ? { previous } : {}) });
    return stored;
  }

  /** Removes an object; the DELETED event carries the object with a fresh resourceVersion. */
  remove(key: string, namespace: string, name: string): StoredObject | undefined {
    const objs = this.data.get(key)?.get(namespace);
    const current = objs?.get(name);
    if (objs === undefined || current === undefined) return undefined;
    objs.delete(name);
    this.rv++;
    const obj = structuredClone(current.obj);
    metaOf(obj)['resourceVersion'] = String(this.rv);
    const stored: StoredObject = { obj, json: JSON.stringify(obj), resourceVersion: this.rv };
    this.emit({ type: 'DELETED', key, namespace, name, resourceVersion: this.rv, stored });
    return stored;
  }

  /** Every namespace holding objects of `key`. */
  namespacesOf(key: string): string[] {
    return [...(this.data.get(key)?.keys() ?? [])];
  }

  keys(): string[] {
    return [...this.data.keys()];
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Forgets the change history, like an etcd compaction at the current revision: watches (and
   * continue tokens) from any older resourceVersion then get 410 Expired.
   */
  compact(): void {
    this.history.length = 0;
    this.horizon = this.rv;
  }

  /** Events after `resourceVersion`, or 'expired' when history no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoreEvent[] | 'expired' {
    if (resourceVersion < this.horizon) return 'expired';
    // History is sorted by resourceVersion: binary search the first newer event.
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const event = this.history[mid];
      if (event !== undefined && event.resourceVersion <= resourceVersion) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historySize) {
      const dropped = this.history.splice(0, this.history.length - this.historySize);
      const last = dropped[dropped.length - 1];
      if (last !== undefined) this.horizon = last.resourceVersion;
    }
    for (const l of this.listeners) l(event);
  }
}
