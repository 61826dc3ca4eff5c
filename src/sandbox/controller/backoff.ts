/**
 * Reconnect pacing shared by both transports: exponential backoff with a cap, reset after a
 * healthy connection, and an abortable sleep so stop() never waits out a backoff.
 */

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export class Backoff {
  #nextMs: number;
  readonly #options: BackoffOptions;

  constructor(options: BackoffOptions) {
    this.#options = options;
    this.#nextMs = options.initialMs;
  }

  /** The wait before the next attempt; doubles each call up to maxMs. */
  next(): number {
    const ms = this.#nextMs;
    this.#nextMs = Math.min(this.#options.maxMs, this.#nextMs * 2);
    return ms;
  }

  reset(): void {
    this.#nextMs = this.#options.initialMs;
  }
}
