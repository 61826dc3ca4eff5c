/**
 * Time, as the product reads it and waits on it: two seams, each with one name.
 *
 * - `Clock`: the current time and one-shot timers. Every option that injects time is called
 *   `clock` (Kubectl, KubectlTask, TaskFleet, watchObject, serveBridge, the status tracker and
 *   the retry loop): deadlines are read with `clock.now()`, timeouts and grace periods are armed
 *   with `clock.setTimer()`, and timestamps are `new Date(clock.now())`. Tests inject a manual
 *   clock; `systemClock` is the default everywhere. Scheduling that decides no outcome stays on
 *   the real timers: the fleet's batch window and the CLI's parent-process poll.
 * - `Sleep`: a wait that an AbortSignal may cut short. What the abort does differs, and the two
 *   implementations say which in their names: `sleepOrReject` (the kubectl retry loop: a caller
 *   who gave up is not kept waiting, and the retry ends with an error) and `sleepUntilAborted`
 *   (the watch loops: stopping never waits out a backoff, and is no error).
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
  /** Calls `fn` once, `ms` from now; the returned function cancels it (a no-op once it ran). */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The real time: Date.now() and setTimeout(). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

/** Waits `ms`; `signal` ends the wait early (how: see the implementations below). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Resolves after `ms`; rejects with an AbortError (its cause: the signal's reason) when the signal aborts. */
export const sleepOrReject: Sleep = async (ms, signal) => {
  await delay(ms, undefined, signal === undefined ? {} : { signal });
};

/** Resolves after `ms`, or at once when the signal aborts: it never rejects. */
export const sleepUntilAborted: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
