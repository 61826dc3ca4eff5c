/**
 * Samples a worker's kubectl children from /proc every few hundred ms: how many there are and
 * how much memory they hold together. Short kubectl calls (~0.1 s) can fall between two samples;
 * the batched calls and watches, which are what the memory targets are about, cannot.
 */
import { childrenOf, readMemory } from './procfs.ts';

export interface MemoryPeaks {
  /** Largest sum of VmRSS over the live children, bytes. */
  readonly rss: number;
  /** Largest sum of RssAnon (private memory, not the shared kubectl binary), bytes. */
  readonly anon: number;
  /** Most children alive at one sample. */
  readonly count: number;
  /** Largest VmRSS of one child, bytes. */
  readonly largest: number;
  readonly samples: number;
}

class Peaks {
  rss = 0;
  anon = 0;
  count = 0;
  largest = 0;
  samples = 0;

  add(rss: number, anon: number, count: number, largest: number): void {
    this.rss = Math.max(this.rss, rss);
    this.anon = Math.max(this.anon, anon);
    this.count = Math.max(this.count, count);
    this.largest = Math.max(this.largest, largest);
    this.samples += 1;
  }

  get value(): MemoryPeaks {
    return { rss: this.rss, anon: this.anon, count: this.count, largest: this.largest, samples: this.samples };
  }
}

export class ChildSampler {
  private readonly all = new Peaks();
  private readonly window = new Peaks();
  private inWindow = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 200,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): void {
    let rss = 0;
    let anon = 0;
    let count = 0;
    let largest = 0;
    for (const child of childrenOf(this.pid)) {
      const memory = readMemory(child);
      if (memory === undefined || memory.rss === 0) continue; // gone, or a zombie not yet reaped
      rss += memory.rss;
      anon += memory.anon;
      largest = Math.max(largest, memory.rss);
      count += 1;
    }
    this.all.add(rss, anon, count, largest);
    if (this.inWindow) this.window.add(rss, anon, count, largest);
  }

  setWindow(on: boolean): void {
    this.sample();
    this.inWindow = on;
  }

  stop(): { readonly all: MemoryPeaks; readonly window: MemoryPeaks } {
    clearInterval(this.timer);
    return { all: this.all.value, window: this.window.value };
  }
}
