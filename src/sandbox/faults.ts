/**
 * Injected misbehaviour for tests and benchmarks: latency, failing responses, dropped or expired
 * watches and a listener that really goes away for a while (clients then see ECONNREFUSED).
 */
import { injected, type ApiError } from './status.ts';
import { matchesRequest, type RequestMatch } from './request-log.ts';

export interface FailNextOptions {
  count: number;
  status: number;
  method?: string;
  path?: string | RegExp;
  retryAfterSeconds?: number;
}

/** What the server must do for faults that act on its sockets. */
export interface FaultHooks {
  closeWatches(): void;
  expireWatches(): void;
  refuseConnections(ms: number): Promise<void>;
}

interface LatencyRule {
  ms: number;
  match: RequestMatch;
}

interface FailureRule extends FailNextOptions {
  remaining: number;
}

export interface FaultDecision {
  delayMs: number;
  failure?: ApiError;
}

export class Faults {
  private latency: LatencyRule[] = [];
  private failures: FailureRule[] = [];
  private hooks: FaultHooks | undefined;

  /** Called once by the server that owns the sockets. */
  attach(hooks: FaultHooks): void {
    this.hooks = hooks;
  }

  addLatency(ms: number, match: RequestMatch = {}): void {
    this.latency.push({ ms, match });
  }

  failNext(options: FailNextOptions): void {
    this.failures.push({ ...options, remaining: options.count });
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

  reset(): void {
    this.latency = [];
    this.failures = [];
  }

  /** Consulted once per request; consumes one matching failure. */
  decide(req: { method: string; path: string }): FaultDecision {
    let delayMs = 0;
    for (const l of this.latency) if (matchesRequest(l.match, req)) delayMs += l.ms;
    const rule = this.failures.find((f) => f.remaining > 0 && matchesRequest({ method: f.method, path: f.path }, req));
    if (rule === undefined) return { delayMs };
    rule.remaining--;
    this.failures = this.failures.filter((f) => f.remaining > 0);
    return { delayMs, failure: injected(rule.status, rule.retryAfterSeconds) };
  }
}
