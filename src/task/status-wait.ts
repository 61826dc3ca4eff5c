/**
 * The wait for a task's first reported status (launch() and waitForStatus()): it ends when the
 * task reports TASK_RUNNING or a terminal state, when its timeout passes, or when the caller's
 * signal aborts; the two last reject with the error the caller builds, and change nothing.
 */
import type { Clock } from '../clock.ts';
import { isTerminal, type ExecutorState } from './states.ts';

/** A state that answers "did the Task report?": the first status.state maps to RUNNING or ends it. */
export function hasReported(state: ExecutorState | undefined): state is ExecutorState {
  return state === 'TASK_RUNNING' || isTerminal(state);
}

export class StatusWaiters {
  private readonly waiters = new Set<(state: ExecutorState) => void>();

  /** Tells every waiter of a state the task reported. */
  notify(state: ExecutorState): void {
    for (const waiter of [...this.waiters]) waiter(state);
  }

  wait(args: {
    readonly clock: Clock;
    readonly timeoutMs: number;
    readonly signal?: AbortSignal | undefined;
    readonly timedOut: () => Error;
    readonly aborted: () => Error;
  }): Promise<ExecutorState> {
    const { signal } = args;
    return new Promise<ExecutorState>((resolve, reject) => {
      let cancelTimer: () => void = () => {};
      const settle = (outcome: () => void): void => {
        cancelTimer();
        this.waiters.delete(onState);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const onState = (state: ExecutorState): void => {
        if (hasReported(state)) settle(() => resolve(state));
      };
      const onAbort = (): void => settle(() => reject(args.aborted()));
      this.waiters.add(onState);
      cancelTimer = args.clock.setTimer(() => settle(() => reject(args.timedOut())), args.timeoutMs);
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
