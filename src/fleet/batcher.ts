/**
 * Groups requests that arrive together into one batch: flushed `delayMs` after the first one,
 * or at once when `maxSize` are waiting. Each request settles with its own outcome, so one bad
 * item never fails the others.
 */
import type { BatchOptions } from './types.ts';

export type Outcome<O> = { readonly ok: true; readonly value: O } | { readonly ok: false; readonly error: Error };

export interface BatcherOptions<I, O> extends BatchOptions {
  /** Must return one outcome per item, in order. */
  readonly run: (items: readonly I[]) => Promise<readonly Outcome<O>[]>;
}

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: Error) => void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: BatcherOptions<I, O>) {
    if (!Number.isInteger(options.maxSize) || options.maxSize < 1) throw new TypeError(`batch maxSize must be an integer >= 1, got ${options.maxSize}`);
    if (!(options.delayMs >= 0)) throw new TypeError(`batch delayMs must be >= 0, got ${options.delayMs}`);
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.delayMs);
    });
  }

  /** Resolves once every batch started so far has settled. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxSize);
      const done = this.runBatch(batch);
      this.inFlight.add(done);
      void done.finally(() => this.inFlight.delete(done));
    }
  }

  private async runBatch(batch: readonly Pending<I, O>[]): Promise<void> {
    let outcomes: readonly Outcome<O>[];
    try {
      outcomes = await this.options.run(batch.map((p) => p.item));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const pending of batch) pending.reject(failure);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) pending.reject(new Error('batch returned no outcome for this item'));
      else if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
