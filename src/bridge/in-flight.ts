/**
 * The requests a bridge has handed to the engine and not answered yet. Each is answered exactly
 * once: by its own outcome (take()), or, still running at the shutdown deadline, by the bridge
 * (abandonAll()), after which a late outcome finds nothing to answer.
 */
import type { Clock } from '../clock.ts';
import type { RequestId } from './protocol.ts';

export interface InFlightRequest {
  readonly id: RequestId | null;
  /** `transition t1 (id 7)`, for the log. */
  readonly label: string;
}

export class InFlight {
  readonly #requests = new Map<number, InFlightRequest>();
  #nextKey = 0;
  #onIdle: (() => void) | undefined;

  get size(): number {
    return this.#requests.size;
  }

  /** Returns the key its outcome is taken with. */
  add(request: InFlightRequest): number {
    const key = this.#nextKey++;
    this.#requests.set(key, request);
    return key;
  }

  /** The request to answer, or undefined when it was answered already (at the deadline). */
  take(key: number): InFlightRequest | undefined {
    const request = this.#requests.get(key);
    if (request === undefined) return undefined;
    this.#requests.delete(key);
    if (this.#requests.size === 0) this.#onIdle?.();
    return request;
  }

  /** Resolves once no request is in flight, or after `ms`, whichever comes first. */
  idleOrDeadline(ms: number, clock: Clock): Promise<void> {
    if (this.#requests.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cancel = clock.setTimer(done, ms);
      function done(): void {
        cancel();
        resolve();
      }
      this.#onIdle = done;
    });
  }

  /** Every request still running, taken out: the caller answers them. */
  abandonAll(): InFlightRequest[] {
    const left = [...this.#requests.values()];
    this.#requests.clear();
    return left;
  }
}
