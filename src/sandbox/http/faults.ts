/**
 * Injected misbehaviour for tests and benchmarks: latency (steady, or a spike that ends by
 * itself), failing responses, dropped or expired watches and a listener that really goes away for
 * a while (clients then see ECONNREFUSED). `timeline` records when each request arrived and what
 * was done to it, so a test can measure how long a client waited before retrying.
 */
import { conflict, injected, OPTIMISTIC_LOCK_MESSAGE, type ApiError } from '../core/status.ts';
import { matchesRequest, type RequestMatch } from './request-log.ts';

export interface FailNextOptions {
  count: number;
  status: number;
  method?: string;
  path?: string | RegExp;
  retryAfterSeconds?: number;
  /** Matching requests let through before the first failure (a dry run passes, the real write fails). */
  skip?: number;
  /**
   * Called (synchronously, before the response is sent) each time this rule fails a request: a
   * test can make the concurrent write that a 409 stands for, so a client that re-reads sees it.
   */
  onInjected?: (request: { method: string; path: string }) => void;
}

/** What the server must do for faults that act on its sockets. */
export interface FaultHooks {
  closeWatches(): void;
  expireWatches(): void;
  refuseConnections(ms: number): Promise<void>;
}

/** One request as the fault layer saw it: when it arrived, and what was injected. */
export interface FaultTimelineEntry {
  /** Date.now() at arrival. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly delayMs: number;
  /** The injected status code, when the request was failed. */
  readonly status?: number;
}

interface LatencyRule {
  ms: number;
  match: RequestMatch;
}

interface FailureRule extends FailNextOptions {
  remaining: number;
  skipping: number;
}

export interface FaultDecision {
  delayMs: number;
  failure?: ApiError;
}

const TIMELINE_MAX = 20_000;

export class Faults {
  private latency: LatencyRule[] = [];
  private failures: FailureRule[] = [];
  private hooks: FaultHooks | undefined;
  private readonly entries: FaultTimelineEntry[] = [];
  /** Requests failed by failNext so far (never reset). */
  injectedFailures = 0;

  /** Called once by the server that owns the sockets. */
  attach(hooks: FaultHooks): void {
    this.hooks = hooks;
  }

  /** Every later matching request waits `ms` more; returns a function that removes this rule. */
  addLatency(ms: number, match: RequestMatch = {}): () => void {
    const rule: LatencyRule = { ms, match };
    this.latency.push(rule);
    return () => {
      this.latency = this.latency.filter((r) => r !== rule);
    };
  }

  /** A latency spike: requests arriving in the next `forMs` wait `ms` more; resolves when it ends. */
  async latencySpike(ms: number, forMs: number, match: RequestMatch = {}): Promise<void> {
    const remove = this.addLatency(ms, match);
    await new Promise<void>((resolve) => setTimeout(resolve, forMs));
    remove();
  }

  failNext(options: FailNextOptions): void {
    this.failures.push({ ...options, remaining: options.count, skipping: options.skip ?? 0 });
  }

  closeWatches(): void {
    this.hooks?.closeWatches();
  }

  /**
   * As when watchers fall behind an etcd compaction: the history is compacted at the current
   * resourceVersion, and every open watch gets one ERROR event (410 Expired, "too old resource
   * version: <its last resourceVersion> (<current>)") and is closed. Resuming from an older
   * resourceVersion then fails the same way, so clients must list again.
   */
  expireWatches(): void {
    this.hooks?.expireWatches();
  }

  /** Closes the listener for `ms` and reopens it on the same port; resolves once it listens again. */
  async refuseConnections(ms: number): Promise<void> {
    if (this.hooks === undefined) throw new Error('faults.refuseConnections: sandbox not started');
    await this.hooks.refuseConnections(ms);
  }

  /** Requests seen so far (the most recent TIMELINE_MAX), in arrival order. */
  get timeline(): readonly FaultTimelineEntry[] {
    return this.entries;
  }

  reset(): void {
    this.latency = [];
    this.failures = [];
  }

  /** Consulted once per request; consumes one matching failure. */
  decide(req: { method: string; path: string }): FaultDecision {
    let delayMs = 0;
    for (const l of this.latency) if (matchesRequest(l.match, req)) delayMs += l.ms;
    const rule = this.failures.find((f) => f.remaining > 0 && matchesRequest({ method: f.method, path: f.path }, req));
    if (rule !== undefined && rule.skipping > 0) {
      rule.skipping--;
      this.record({ at: Date.now(), method: req.method, path: req.path, delayMs });
      return { delayMs };
    }
    if (rule === undefined) {
      this.record({ at: Date.now(), method: req.method, path: req.path, delayMs });
      return { delayMs };
    }
    rule.remaining--;
    this.failures = this.failures.filter((f) => f.remaining > 0);
    this.injectedFailures++;
    this.record({ at: Date.now(), method: req.method, path: req.path, delayMs, status: rule.status });
    rule.onInjected?.({ method: req.method, path: req.path });
    return { delayMs, failure: rule.status === 409 ? (conflictFor(req.path) ?? injected(409)) : injected(rule.status, rule.retryAfterSeconds) };
  }

  private record(entry: FaultTimelineEntry): void {
    this.entries.push(entry);
    if (this.entries.length > TIMELINE_MAX) this.entries.splice(0, this.entries.length - TIMELINE_MAX);
  }
}

/**
 * A 409 worded as kube-apiserver words a write that lost a race (the optimistic-lock message of
 * GuaranteedUpdate), naming the object of an object path (`…/namespaces/NS/tasks/NAME`).
 */
function conflictFor(path: string): ApiError | undefined {
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/(?:namespaces\/[^/]+\/)?([^/]+)\/([^/]+)(?:\/[^/]+)?$/.exec(path);
  if (m === null) return undefined;
  return conflict({ group: m[1] ?? '', kind: m[2] ?? '', name: m[3] ?? '' }, OPTIMISTIC_LOCK_MESSAGE);
}
