/** A record of every request the sandbox answered, for tests and benchmarks to count calls. */

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  /** Authenticated user name, `system:anonymous`, or `invalid` for an unknown token. */
  user: string;
  userAgent: string;
  /** The apiserver verb (get, list, watch, create, update, patch, delete, deletecollection) or '' for non-resource paths. */
  verb: string;
  ms: number;
}

export interface RequestMatch {
  method?: string;
  path?: string | RegExp;
  verb?: string;
}

export function matchesRequest(m: RequestMatch, e: { method: string; path: string; verb?: string }): boolean {
  if (m.method !== undefined && m.method.toUpperCase() !== e.method) return false;
  if (m.verb !== undefined && m.verb !== e.verb) return false;
  if (m.path !== undefined) {
    if (typeof m.path === 'string' ? m.path !== e.path : !m.path.test(e.path)) return false;
  }
  return true;
}

export class RequestLog {
  private readonly list: RequestLogEntry[] = [];

  constructor(private readonly maxEntries = 100_000) {}

  get entries(): readonly RequestLogEntry[] {
    return this.list;
  }

  add(entry: RequestLogEntry): void {
    this.list.push(entry);
    if (this.list.length > this.maxEntries) this.list.splice(0, this.list.length - this.maxEntries);
  }

  count(match: RequestMatch = {}): number {
    let n = 0;
    for (const e of this.list) if (matchesRequest(match, e)) n++;
    return n;
  }

  clear(): void {
    this.list.length = 0;
  }
}
