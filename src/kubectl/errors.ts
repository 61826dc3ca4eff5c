/**
 * The one error type of the kubectl layer. Its `reason` comes from classify(); callers branch on
 * `reason`, never on message text.
 */
import { ReasonedError, guardOf, type KubectlReason } from '../errors.ts';
import type { KubectlResult } from './types.ts';

export interface KubectlErrorInit {
  readonly reason: KubectlReason;
  /** One-line diagnosis (already redacted). */
  readonly message: string;
  readonly result?: KubectlResult;
  readonly retryAfterMs?: number;
  /** How many times kubectl was run for this call (1 when it was not retried). */
  readonly attempts?: number;
  readonly cause?: unknown;
}

export class KubectlError extends ReasonedError<KubectlReason> {
  override readonly name = 'KubectlError';
  /** The last attempt. */
  readonly result?: KubectlResult;
  readonly retryAfterMs?: number;
  readonly attempts: number;

  constructor(init: KubectlErrorInit) {
    super(init.reason, oneLine(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.attempts = init.attempts ?? 1;
    if (init.result !== undefined) this.result = init.result;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  /** The same error, counted as the outcome of `attempts` runs. */
  withAttempts(attempts: number): KubectlError {
    return this.#copy({ attempts });
  }

  /** The same error with another one-line message. */
  withMessage(message: string): KubectlError {
    return this.#copy({ message });
  }

  #copy(changes: { attempts?: number; message?: string }): KubectlError {
    return new KubectlError({
      reason: this.reason,
      message: changes.message ?? this.message,
      attempts: changes.attempts ?? this.attempts,
      ...(this.result === undefined ? {} : { result: this.result }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.cause === undefined ? {} : { cause: this.cause }),
    });
  }
}

export const isKubectlError = guardOf(KubectlError);

/** Error messages are one line: newlines from kubectl's multi-cause output become `; `. */
export function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join('; ');
}
