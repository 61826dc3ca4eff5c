/**
 * Retrying transient kubectl failures with bounded exponential backoff (p-retry underneath).
 * Only TRANSIENT_REASONS (and a kubectl killed by a signal from elsewhere, see killedBySignal) are
 * retried; every other failure aborts at once through AbortError, so an Invalid patch or a
 * Forbidden delete is reported after exactly one attempt.
 *
 * Retry-After: when classify() found a server hint, the wait is at least that long (waiting less would
 * only earn another 429), but never more than RETRY_AFTER_CAP_FACTOR × maxTimeoutMs, so a hostile or
 * broken proxy cannot park the caller for hours.
 */
import pRetry, { AbortError } from 'p-retry';
import { systemClock, type Clock, type Sleep } from '../clock.ts';
import { killedBySignal } from './classify.ts';
import { KubectlError } from './errors.ts';
import { TRANSIENT_REASONS } from './types.ts';
import type { KubectlReason } from '../errors.ts';

export interface RetryPolicy {
  /** Extra attempts after the first one (0 = no retry). */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Backoff multiplier per retry (default 2). */
  factor?: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<Required<RetryPolicy>> = Object.freeze({
  retries: 4,
  minTimeoutMs: 200,
  maxTimeoutMs: 5_000,
  factor: 2,
});

export const RETRY_AFTER_CAP_FACTOR = 10;

/** Validated copy of a policy; TypeError naming the offending option otherwise. */
export function validateRetryPolicy(value: unknown, where = 'kubectl options: retry'): Required<RetryPolicy> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where} must be an object { retries, minTimeoutMs, maxTimeoutMs, factor? } or false, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  const retries = requireNumber(record, 'retries', where, { integer: true, min: 0 });
  const minTimeoutMs = requireNumber(record, 'minTimeoutMs', where, { integer: false, min: 0 });
  const maxTimeoutMs = requireNumber(record, 'maxTimeoutMs', where, { integer: false, min: 0 });
  const factor = record['factor'] === undefined ? DEFAULT_RETRY_POLICY.factor : requireNumber(record, 'factor', where, { integer: false, min: 1 });
  if (maxTimeoutMs < minTimeoutMs) {
    throw new TypeError(`${where}.maxTimeoutMs (${maxTimeoutMs}) must be >= ${where}.minTimeoutMs (${minTimeoutMs})`);
  }
  return { retries, minTimeoutMs, maxTimeoutMs, factor };
}

function requireNumber(record: Record<string, unknown>, key: string, where: string, rule: { integer: boolean; min: number }): number {
  const value = record[key];
  const kind = rule.integer ? 'integer' : 'number';
  if (typeof value !== 'number' || !Number.isFinite(value) || (rule.integer && !Number.isInteger(value)) || value < rule.min) {
    throw new TypeError(`${where}.${key} must be a finite ${kind} >= ${rule.min}, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value;
}

/** Wait before retry number `retryIndex` (0-based), honouring a server Retry-After hint. */
export function backoffDelayMs(policy: Required<RetryPolicy>, retryIndex: number, retryAfterMs?: number): number {
  const exponential = Math.min(policy.minTimeoutMs * policy.factor ** retryIndex, policy.maxTimeoutMs);
  if (retryAfterMs === undefined) return Math.round(exponential);
  const hint = Math.min(retryAfterMs, policy.maxTimeoutMs * RETRY_AFTER_CAP_FACTOR);
  return Math.round(Math.max(exponential, hint));
}

export interface FailedAttempt {
  readonly error: KubectlError;
  readonly attempt: number;
  readonly willRetry: boolean;
  readonly delayMs?: number;
}

export interface WithRetryOptions {
  readonly policy: Required<RetryPolicy> | false;
  /** The wait between attempts (the runner's: sleepOrReject, so a caller's abort ends it). */
  readonly sleep: Sleep;
  readonly signal?: AbortSignal;
  readonly onFailure?: (failure: FailedAttempt) => void;
  /** Transient reasons that must not be retried in this call (e.g. Timeout when kubectl's own --timeout is the bound). */
  readonly noRetry?: ReadonlySet<KubectlReason>;
  /** Absolute time (on `clock`) after which no retry may start. */
  readonly deadlineMs?: number;
  /** Reads deadlineMs against clock.now() (default systemClock). */
  readonly clock?: Clock;
}

/**
 * A retry that would start with less than this left before the deadline is not started: kubectl
 * alone needs a few hundred ms to start, so such an attempt could only be killed.
 */
export const MIN_ATTEMPT_MS = 1_000;

type Verdict = { readonly retry: true } | { readonly retry: false; readonly why: 'final' | 'deadline' | 'excluded' };

function verdict(error: KubectlError, attempt: number, retries: number, delayMs: number, options: WithRetryOptions): Verdict {
  const { policy, signal, noRetry, deadlineMs, clock = systemClock } = options;
  const transient = TRANSIENT_REASONS.has(error.reason) || killedBySignal(error.result);
  if (policy === false || !transient || attempt > retries || signal?.aborted === true) return { retry: false, why: 'final' };
  if (noRetry?.has(error.reason) === true) return { retry: false, why: 'excluded' };
  if (deadlineMs !== undefined && clock.now() + delayMs + MIN_ATTEMPT_MS > deadlineMs) return { retry: false, why: 'deadline' };
  return { retry: true };
}

/**
 * Runs `operation` until it succeeds, throws a non-transient KubectlError, or the retries are spent.
 * The rejection is the last KubectlError, with `attempts` set to the number of runs.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: WithRetryOptions): Promise<T> {
  const { policy, sleep, signal, onFailure } = options;
  const retries = policy === false ? 0 : policy.retries;
  if (options.deadlineMs !== undefined && !Number.isFinite(options.deadlineMs)) {
    throw new TypeError(`retry deadlineMs must be a finite time in ms, got ${String(options.deadlineMs)}`);
  }
  return pRetry(
    async (attempt: number) => {
      try {
        return await operation(attempt);
      } catch (thrown: unknown) {
        if (!(thrown instanceof KubectlError)) {
          throw new AbortError(thrown instanceof Error ? thrown : new Error(String(thrown)));
        }
        const error = thrown.withAttempts(attempt);
        const delayMs = policy === false ? 0 : backoffDelayMs(policy, attempt - 1, error.retryAfterMs);
        const decision = verdict(error, attempt, retries, delayMs, options);
        if (!decision.retry) {
          const final = error.withMessage(`${error.message}${giveUpNote(decision.why, attempt)}`);
          onFailure?.({ error: final, attempt, willRetry: false });
          throw new AbortError(final);
        }
        onFailure?.({ error, attempt, willRetry: true, delayMs });
        // p-retry's own wait is 0 (minTimeout 0): we sleep here so tests can inject the clock.
        await sleep(delayMs, signal);
        throw error;
      }
    },
    { retries, minTimeout: 0, maxTimeout: 0, factor: 1, ...(signal === undefined ? {} : { signal }) },
  );
}

function giveUpNote(why: 'final' | 'deadline' | 'excluded', attempt: number): string {
  if (why === 'deadline') {
    const left = "no time left before the caller's deadline";
    return attempt > 1 ? ` (gave up after ${attempt} attempts: ${left})` : ` (not retried: ${left})`;
  }
  return attempt > 1 ? ` (gave up after ${attempt} attempts)` : '';
}
