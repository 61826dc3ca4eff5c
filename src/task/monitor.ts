/**
 * How a KubectlTask hears about its Task, and what it hears means. One watch per task by default
 * (any factory of the same shape can stand in); meaningOf reads each event, and the
 * UnreachableAlarm turns a lasting transient failure into TASK_UNREACHABLE.
 */
import createDebug from 'debug';
import type { Clock } from '../clock.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import { TRANSIENT_REASONS, type ObjectRef } from '../kubectl/types.ts';
import { watchObject, type WatchEvent } from '../watch/object-watcher.ts';
import type { Report } from './status-reporter.ts';
import { reportOf, type StatusTracker } from './status-tracker.ts';

const debug = createDebug('kubectl-task:task');

export interface MonitorHandle {
  stop(): Promise<void>;
}

export type MonitorFactory = (args: { kubectl: Kubectl; ref: ObjectRef; onEvent: (event: WatchEvent) => void }) => MonitorHandle;

export const defaultMonitor: MonitorFactory = ({ kubectl, ref, onEvent }) => watchObject({ kubectl, ref, onEvent });

/** A monitor factory with tuned knobs (poll interval, error limit) for the per-task watch. */
export function perTaskMonitor(options: { errorLimit?: number; pollIntervalMs?: number; watchFailuresBeforePolling?: number }): MonitorFactory {
  return ({ kubectl, ref, onEvent }) => watchObject({ kubectl, ref, onEvent, ...options });
}

/**
 * TASK_UNREACHABLE for a monitor that keeps failing transiently: armed by the first such failure,
 * it fires after the grace period unless something was observed meanwhile (clear()).
 */
export class UnreachableAlarm {
  private cancel: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    readonly graceMs: number,
    private readonly onFire: (why: string) => void,
  ) {}

  /** Arms the alarm, unless it is armed already (the first failure's reason is the one told). */
  start(why: string): void {
    if (this.cancel !== undefined) return;
    this.cancel = this.clock.setTimer(() => {
      this.cancel = undefined;
      this.onFire(why);
    }, this.graceMs);
  }

  clear(): void {
    this.cancel?.();
    this.cancel = undefined;
  }
}

/** What a monitor event means for a task that is followed. */
export type EventMeaning =
  | { readonly kind: 'none' }
  /** Still running: report it (the reporter drops a report that changes nothing). */
  | { readonly kind: 'running'; readonly report: Report }
  /** It ended: finished, failed, killed or lost. */
  | { readonly kind: 'ended'; readonly end: Report }
  /** The API server cannot be reached for now: arm the UnreachableAlarm. */
  | { readonly kind: 'unreachable'; readonly why: string };

/**
 * An observed Task is recorded in the tracker and reported as the fleet reports it (reportOf); a
 * deleted one was killed when a kubectl-task kill (maybe another process's) marked it, and lost
 * otherwise; a transient failure may make the task unreachable, and a monitor that gave up fails it.
 * `what` names the Task in messages.
 */
export function meaningOf(event: WatchEvent, tracker: StatusTracker, task: { taskId: string; what: string; killedBy: string | undefined }): EventMeaning {
  switch (event.type) {
    case 'observed': {
      const { previous, current } = tracker.observe(event.object);
      const report = reportOf(current);
      if (report === undefined) return { kind: 'none' };
      const withPrevious = { ...report, previousTaskState: previous?.state };
      return report.state === 'TASK_RUNNING' ? { kind: 'running', report: withPrevious } : { kind: 'ended', end: withPrevious };
    }
    case 'deleted':
      tracker.markDeleted();
      if (task.killedBy !== undefined) {
        return { kind: 'ended', end: { state: 'TASK_KILLED', reason: 'Killed', message: `${task.what} was killed by ${task.killedBy}` } };
      }
      return { kind: 'ended', end: { state: 'TASK_LOST', reason: 'Deleted', message: `${task.what} was deleted outside kubectl-task` } };
    case 'error':
      debug('%s: monitor error %d: %s', task.taskId, event.consecutive, event.error.message);
      return TRANSIENT_REASONS.has(event.error.reason) ? { kind: 'unreachable', why: event.error.message } : { kind: 'none' };
    case 'gave-up':
      return { kind: 'ended', end: { state: 'TASK_FAILED', reason: event.error.reason, message: `monitoring gave up: ${event.error.message}` } };
  }
}
