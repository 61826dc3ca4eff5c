/**
 * Watch streams: one chunk per event (`{"type":…,"object":…}\n`), headers sent at once, history
 * replay from a resourceVersion (410 Expired as an ERROR event when it is too old), synthetic
 * ADDED events for resourceVersion 0 or unset, timeoutSeconds, and a hub that can end every
 * open stream at once (close(), faults.closeWatches()).
 */
import type { ServerResponse } from 'node:http';
import { keyOf, type SandboxState } from './objects.ts';
import { matchesFilter, parseFilter, tableFor, type IncludeObject } from './reads.ts';
import type { ResourceType } from './resources.ts';
import type { ResourceRequest } from './router.ts';
import { failure } from './status.ts';
import type { StoreEvent, StoredObject } from './storage.ts';

export interface WatchArgs {
  state: SandboxState;
  type: ResourceType;
  req: ResourceRequest;
  query: URLSearchParams;
  /** Set when kubectl asked for Table output. */
  table?: IncludeObject;
  res: ServerResponse;
}

export class WatchHub {
  private readonly open = new Set<() => void>();

  get size(): number {
    return this.open.size;
  }

  track(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }

  /** Ends every open watch stream now (clients see a clean end of stream and usually re-watch). */
  closeAll(): void {
    for (const end of [...this.open]) end();
  }
}

export function startWatch(hub: WatchHub, a: WatchArgs): void {
  const { state, type, req, query, res } = a;
  const filterQuery = new URLSearchParams(query);
  if (req.name !== '') {
    const existing = filterQuery.get('fieldSelector');
    filterQuery.set('fieldSelector', existing ? `${existing},metadata.name=${req.name}` : `metadata.name=${req.name}`);
  }
  const filter = parseFilter(type, filterQuery);
  const key = keyOf(type);
  const ns = type.namespaced ? req.namespace : '';
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  res.flushHeaders();

  const encode = (eventType: string, stored: StoredObject): string => {
    if (a.table === undefined) return `{"type":"${eventType}","object":${stored.json}}\n`;
    const table = tableFor(state, type, [stored.obj], a.table, String(stored.resourceVersion));
    return `{"type":"${eventType}","object":${JSON.stringify(table)}}\n`;
  };
  const relevant = (e: StoreEvent): boolean =>
    e.key === key && (ns === '' || e.namespace === ns) && matchesFilter(filter, e.stored.obj);

  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  const end = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe();
    untrack();
    if (timer !== undefined) clearTimeout(timer);
    res.end();
  };
  const rvParam = query.get('resourceVersion') ?? '';
  const pending: string[] = [];
  if (rvParam === '' || rvParam === '0') {
    for (const o of state.store.list(key, ns === '' ? undefined : ns)) {
      if (matchesFilter(filter, o.obj)) pending.push(encode('ADDED', o));
    }
  } else {
    const since = Number(rvParam);
    const events = Number.isFinite(since) ? state.store.eventsSince(since) : 'expired';
    if (events === 'expired') {
      const status = failure({ code: 410, reason: 'Expired', message: `too old resource version: ${rvParam} (${state.store.oldestWatchable})` });
      res.end(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      return;
    }
    for (const e of events) if (relevant(e)) pending.push(encode(e.type, e.stored));
  }
  const unsubscribe = state.store.subscribe((e) => {
    if (!ended && relevant(e)) res.write(encode(e.type, e.stored));
  });
  const untrack = hub.track(end);
  for (const chunk of pending) res.write(chunk);
  const timeout = Number(query.get('timeoutSeconds') ?? '0');
  if (timeout > 0) timer = setTimeout(end, timeout * 1000);
  res.on('close', end);
}
