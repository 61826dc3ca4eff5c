/** Exponential backoff with jitter that a caller resets once things work again. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor?: number;
  /** 0..1, the share of each delay that is randomised; injected random keeps tests exact. */
  readonly jitter?: number;
  readonly random?: () => number;
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions) {
    if (!(options.initialMs > 0)) throw new TypeError(`backoff initialMs must be > 0, got ${options.initialMs}`);
    if (!(options.maxMs >= options.initialMs)) {
      throw new TypeError(`backoff maxMs (${options.maxMs}) must be >= initialMs (${options.initialMs})`);
    }
  }

  next(): number {
    const { initialMs, maxMs, factor = 2, jitter = 0.2, random = Math.random } = this.options;
    const base = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt += 1;
    return Math.round(base * (1 - jitter + jitter * random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
