/**
 * Watch streams: one chunk per event (`{"type":…,"object":…}\n`), headers sent at once, history
 * replay from a resourceVersion (410 Expired as an ERROR event when it is too old), synthetic
 * ADDED events for resourceVersion 0 or unset, timeoutSeconds, and a hub that can end every
 * open stream at once (close(), faults.closeWatches()) or expire them (faults.expireWatches()).
 */
import type { ServerResponse } from 'node:http';
import { isJsonObject } from '../../json.ts';
import { decodeListIntegers, validateListOptions, watchResourceVersion } from './list-resource-version.ts';
import type { SandboxState } from './state.ts';
import { convertFilter, matchesFilter, parseFilter, tableFor, type IncludeObject } from './reads.ts';
import { groupVersionOf, keyOf, type ResourceType } from '../registry/resources.ts';
import type { ResourceRequest } from '../core/request-info.ts';
import { badRequest, failure } from '../core/status.ts';
import type { StoreEvent, StoredObject } from '../storage/store.ts';

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

/** One open watch stream, as the hub can end it. */
interface OpenWatch {
  /** Ends the stream cleanly. */
  end(): void;
  /** Sends the 410 Expired ERROR event for the last resourceVersion this watcher saw, then ends. */
  expire(): void;
}

export class WatchHub {
  private readonly open = new Set<OpenWatch>();

  get size(): number {
    return this.open.size;
  }

  track(watch: OpenWatch): () => void {
    this.open.add(watch);
    return () => this.open.delete(watch);
  }

  /** Ends every open watch stream now (clients see a clean end of stream and usually re-watch). */
  closeAll(): void {
    for (const w of [...this.open]) w.end();
  }

  /** Every open watch gets one ERROR event (410 Expired) and ends, as when it fell behind compaction. */
  expireAll(): void {
    for (const w of [...this.open]) w.expire();
  }
}

/** The ERROR event of a watch from a resourceVersion older than the oldest one still held. */
function expiredEvent(requested: string, horizon: number): string {
  const status = failure({ code: 410, reason: 'Expired', message: `too old resource version: ${requested} (${horizon})` });
  return `{"type":"ERROR","object":${JSON.stringify(status)}}\n`;
}

/** A copy of a stored object stamped with another resourceVersion. */
function withResourceVersion(stored: StoredObject, resourceVersion: number): StoredObject {
  const obj = structuredClone(stored.obj);
  const m = obj['metadata'];
  if (isJsonObject(m)) m['resourceVersion'] = String(resourceVersion);
  return { obj, json: JSON.stringify(obj), resourceVersion };
}

export function startWatch(hub: WatchHub, a: WatchArgs): void {
  const { state, type, req, query, res } = a;
  decodeListIntegers(query);
  const parsed = parseFilter(type, query);
  validateListOptions(query, true);
  let filter = convertFilter(parsed);
  if (req.name !== '') {
    // A watch of one object: its name is the field selector, or must be what the selector requires.
    const fields = filter.fields.requirements;
    if (fields.length === 0) filter = { ...filter, fields: { requirements: [{ field: 'metadata.name', operator: '=', value: req.name }] } };
    else if (fields.find((r) => r.field === 'metadata.name' && r.operator !== '!=')?.value !== req.name) {
      throw badRequest("fieldSelector metadata.name doesn't match requested name");
    }
  }
  const rvParam = query.get('resourceVersion') ?? '';
  const since = watchResourceVersion(rvParam);
  const key = keyOf(type);
  const ns = type.namespaced ? req.namespace : '';
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  res.flushHeaders();

  const encode = (eventType: string, stored: StoredObject): string => {
    if (a.table === undefined) return `{"type":"${eventType}","object":${stored.json}}\n`;
    const table = tableFor(state, type, { objects: [stored.obj], includeObject: a.table, resourceVersion: String(stored.resourceVersion) });
    return `{"type":"${eventType}","object":${JSON.stringify(table)}}\n`;
  };
  /**
   * The event this watch sees: selector moves turn MODIFIED into ADDED or DELETED, as the watch
   * cache does. An object that leaves the selection is sent as it was before the change (the
   * last state the watcher was entitled to see) with the change's resourceVersion.
   */
  const translate = (e: StoreEvent): { type: StoreEvent['type']; stored: StoredObject } | undefined => {
    if (e.key !== key || (ns !== '' && e.namespace !== ns)) return undefined;
    const now = matchesFilter(filter, e.stored.obj);
    if (e.type !== 'MODIFIED' || e.previous === undefined) return now ? { type: e.type, stored: e.stored } : undefined;
    const before = matchesFilter(filter, e.previous.obj);
    if (now) return { type: before ? 'MODIFIED' : 'ADDED', stored: e.stored };
    return before ? { type: 'DELETED', stored: withResourceVersion(e.previous, e.resourceVersion) } : undefined;
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
    const object = { kind: type.kind, apiVersion: groupVersionOf(type), metadata: { resourceVersion: String(state.store.resourceVersion) } };
    res.write(`{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`);
    seenRV = state.store.resourceVersion;
  };
  const pending: string[] = [];
  // The resourceVersion this watcher has caught up to: where it would resume from.
  let seenRV = since;
  if (rvParam === '' || rvParam === '0') {
    seenRV = state.store.resourceVersion;
    for (const o of state.store.list(key, ns === '' ? undefined : ns)) {
      if (matchesFilter(filter, o.obj)) pending.push(encode('ADDED', o));
    }
  } else {
    const events = state.store.eventsSince(since);
    if (events === 'expired') {
      res.end(expiredEvent(rvParam, state.store.oldestWatchable));
      return;
    }
    for (const e of events) {
      const seen = translate(e);
      if (seen !== undefined) {
        pending.push(encode(seen.type, seen.stored));
        seenRV = e.resourceVersion;
      }
    }
  }
  const unsubscribe = state.store.subscribe((e) => {
    const seen = ended ? undefined : translate(e);
    if (seen !== undefined) {
      res.write(encode(seen.type, seen.stored));
      seenRV = e.resourceVersion;
    }
  });
  const expire = (): void => {
    if (ended) return;
    res.write(expiredEvent(String(seenRV), state.store.oldestWatchable));
    end();
  };
  const untrack = hub.track({ end, expire });
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
