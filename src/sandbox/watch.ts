/**
 * Watch streams: one chunk per event (`{"type":…,"object":…}\n`), headers sent at once, history
 * replay from a resourceVersion (410 Expired as an ERROR event when it is too old), synthetic
 * ADDED events for resourceVersion 0 or unset, timeoutSeconds, and a hub that can end every
 * open stream at once (close(), faults.closeWatches()).
 */
import type { ServerResponse } from 'node:http';
import { parseResourceVersion } from './list-resource-version.ts';
import { apiVersionOf, keyOf, type SandboxState } from './objects.ts';
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
  /** Period of BOOKMARK events when the client allows them (default one minute, like the apiserver). */
  bookmarkIntervalMs?: number;
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
  const rvParam = query.get('resourceVersion') ?? '';
  const since = parseResourceVersion(rvParam);
  const key = keyOf(type);
  const ns = type.namespaced ? req.namespace : '';
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  res.flushHeaders();

  const encode = (eventType: string, stored: StoredObject): string => {
    if (a.table === undefined) return `{"type":"${eventType}","object":${stored.json}}\n`;
    const table = tableFor(state, type, { objects: [stored.obj], includeObject: a.table, resourceVersion: String(stored.resourceVersion) });
    return `{"type":"${eventType}","object":${JSON.stringify(table)}}\n`;
  };
  /** The event this watch sees: selector moves turn MODIFIED into ADDED or DELETED, as the watch cache does. */
  const translate = (e: StoreEvent): StoreEvent['type'] | undefined => {
    if (e.key !== key || (ns !== '' && e.namespace !== ns)) return undefined;
    const now = matchesFilter(filter, e.stored.obj);
    if (e.type !== 'MODIFIED' || e.previous === undefined) return now ? e.type : undefined;
    const before = matchesFilter(filter, e.previous.obj);
    if (now) return before ? 'MODIFIED' : 'ADDED';
    return before ? 'DELETED' : undefined;
  };

  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  let bookmarks: NodeJS.Timeout | undefined;
  const end = (): void => {
    if (ended) return;
    ended = true;
    unsubscribe();
    untrack();
    if (timer !== undefined) clearTimeout(timer);
    if (bookmarks !== undefined) clearInterval(bookmarks);
    res.end();
  };
  // Like the watch cache: bookmarks carry the current resourceVersion so a reflector can resume
  // without a relist; one is sent periodically and one just before a timeout ends the stream.
  const wantsBookmarks = query.get('allowWatchBookmarks') === 'true';
  const bookmark = (): void => {
    const object = { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(state.store.resourceVersion) } };
    res.write(`{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`);
  };
  const pending: string[] = [];
  if (rvParam === '' || rvParam === '0') {
    for (const o of state.store.list(key, ns === '' ? undefined : ns)) {
      if (matchesFilter(filter, o.obj)) pending.push(encode('ADDED', o));
    }
  } else {
    const events = state.store.eventsSince(since);
    if (events === 'expired') {
      const status = failure({ code: 410, reason: 'Expired', message: `too old resource version: ${rvParam} (${state.store.oldestWatchable})` });
      res.end(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      return;
    }
    for (const e of events) {
      const seen = translate(e);
      if (seen !== undefined) pending.push(encode(seen, e.stored));
    }
  }
  const unsubscribe = state.store.subscribe((e) => {
    const seen = ended ? undefined : translate(e);
    if (seen !== undefined) res.write(encode(seen, e.stored));
  });
  const untrack = hub.track(end);
  for (const chunk of pending) res.write(chunk);
  const timeout = Number(query.get('timeoutSeconds') ?? '0');
  if (timeout > 0) {
    timer = setTimeout(() => {
      if (wantsBookmarks) bookmark();
      end();
    }, timeout * 1000);
  }
  if (wantsBookmarks) bookmarks = setInterval(bookmark, a.bookmarkIntervalMs ?? 60_000);
  res.on('close', end);
}
