/** A clock the test moves: time passes only when the test says so, and timers fire then. */
import type { Clock, Sleep } from '../../src/clock.ts';

export interface ManualClock extends Clock {
  /** The current time in ms; a test may set it directly. */
  time: number;
  /** Moves the time on by `ms`, firing the timers that fall due, in order. */
  advance(ms: number): void;
  /** A Sleep that lets `ms` pass on this clock at once. */
  readonly sleep: Sleep;
  /** Timers armed and neither fired nor cancelled. */
  readonly pending: number;
}

export function manualClock(start = 0): ManualClock {
  let nextId = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: ManualClock = {
    time: start,
    now: () => clock.time,
    setTimer(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: clock.time + ms, fn });
      return () => void timers.delete(id);
    },
    advance(ms) {
      const until = clock.time + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        clock.time = Math.max(clock.time, due[1].at);
        due[1].fn();
      }
      clock.time = until;
    },
    sleep: async (ms) => void clock.advance(ms),
    get pending() {
      return timers.size;
    },
  };
  return clock;
}
