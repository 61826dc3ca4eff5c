/**
 * Groups requests that arrive together into one batch: flushed `delayMs` after the first one,
 * or at once when `maxSize` are waiting. At most `maxInFlight` batches run at a time; requests
 * that arrive meanwhile wait and go out together in the next one, as soon as a batch settles
 * (the batch adapts to the load instead of starting one kubectl per `maxSize` at once: 500
 * launches in five simultaneous batches of 100 cost ~320 MiB of kubectl, in one or two ~115 MiB).
 * Each request settles with its own outcome, so one bad item never fails the others.
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
  private readonly maxInFlight: number;

  constructor(private readonly options: BatcherOptions<I, O>) {
    if (!Number.isInteger(options.maxSize) || options.maxSize < 1) throw new TypeError(`batch maxSize must be an integer >= 1, got ${options.maxSize}`);
    if (!(options.delayMs >= 0)) throw new TypeError(`batch delayMs must be >= 0, got ${options.delayMs}`);
    this.maxInFlight = options.maxInFlight ?? 1;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1)
      throw new TypeError(`batch maxInFlight must be an integer >= 1, got ${options.maxInFlight}`);
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.delayMs);
    });
  }

  /** Batches running now (tests read it). */
  get running(): number {
    return this.inFlight.size;
  }

  /** Resolves once every request added so far has settled. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0 || this.queue.length > 0) {
      await Promise.all([...this.inFlight]);
      this.flush();
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 && this.inFlight.size < this.maxInFlight) {
      const batch = this.queue.splice(0, this.options.maxSize);
      const done = this.runBatch(batch);
      this.inFlight.add(done);
      void done.finally(() => {
        this.inFlight.delete(done);
        // What queued while this batch ran has waited long enough: it goes out at once.
        this.flush();
      });
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
