/**
 * Remembers the last observed Task object and lets callers wait for a given `status.state`.
 * Waiters settle on the first observation that decides them, so a transition resolves (or fails)
 * as soon as the watch delivers the answer instead of on the next poll tick.
 */
import { systemClock, type Clock } from '../clock.ts';
import type { KubeObject } from '../kubectl/types.ts';
import { isJsonObject } from '../json.ts';
import { executorStateFor, parseTaskState, type ExecutorState, type TaskState } from './states.ts';

export interface Observation {
  /** `undefined` until the task manager wrote a status. */
  readonly state: TaskState | undefined;
  /** A value outside the known states, kept verbatim for messages. */
  readonly unknownState?: string;
  readonly error?: string;
  readonly generation?: number;
  readonly object: KubeObject;
}

type Verdict<T> = { readonly settle: 'resolve'; readonly value: T } | { readonly settle: 'reject'; readonly error: Error } | undefined;

interface Waiter {
  decide(observation: Observation | 'deleted'): Verdict<Observation>;
  resolve(value: Observation): void;
  reject(error: Error): void;
}

export class StatusTracker {
  private lastObservation: Observation | undefined;
  private presence: 'unknown' | 'present' | 'deleted' = 'unknown';
  private readonly waiters = new Set<Waiter>();

  get last(): Observation | undefined {
    return this.lastObservation;
  }

  get isDeleted(): boolean {
    return this.presence === 'deleted';
  }

  /**
   * Records an object; returns the new observation and the one it replaces. An object older than
   * the one already observed (see isOlder) changes nothing: `stale` is true and `current` is the
   * observation kept, so a late patch response can never move the status backwards.
   */
  observe(object: KubeObject): { previous: Observation | undefined; current: Observation; stale: boolean } {
    const previous = this.lastObservation;
    if (previous !== undefined && this.presence === 'present' && isOlder(object, previous.object)) {
      return { previous, current: previous, stale: true };
    }
    const current = toObservation(object);
    this.lastObservation = current;
    this.presence = 'present';
    this.notify(current);
    return { previous, current, stale: false };
  }

  markDeleted(): void {
    this.presence = 'deleted';
    this.notify('deleted');
  }

  /**
   * Waits until `decide` settles, checking the current observation first. The timeout rejects
   * with the error `onTimeout` builds from the last observation.
   */
  waitFor(args: {
    decide: (observation: Observation | 'deleted') => Verdict<Observation>;
    timeoutMs: number;
    onTimeout: (last: Observation | undefined) => Error;
    /** Arms the timeout (default systemClock). */
    clock?: Clock;
  }): Promise<Observation> {
    const clock = args.clock ?? systemClock;
    return new Promise<Observation>((resolve, reject) => {
      let cancelTimer: () => void = () => {};
      const waiter: Waiter = {
        decide: args.decide,
        resolve: (value) => {
          cancelTimer();
          this.waiters.delete(waiter);
          resolve(value);
        },
        reject: (error) => {
          cancelTimer();
          this.waiters.delete(waiter);
          reject(error);
        },
      };
      const current = this.presence === 'deleted' ? 'deleted' : this.lastObservation;
      if (current !== undefined && settle(waiter, current)) return;
      this.waiters.add(waiter);
      cancelTimer = clock.setTimer(() => waiter.reject(args.onTimeout(this.lastObservation)), args.timeoutMs);
    });
  }

  /** Rejects every pending waiter (the task was killed or its monitor gave up). */
  abortAll(error: Error): void {
    for (const waiter of [...this.waiters]) waiter.reject(error);
  }

  private notify(observation: Observation | 'deleted'): void {
    for (const waiter of [...this.waiters]) settle(waiter, observation);
  }
}

function settle(waiter: Waiter, observation: Observation | 'deleted'): boolean {
  const verdict = waiter.decide(observation);
  if (verdict === undefined) return false;
  if (verdict.settle === 'resolve') waiter.resolve(verdict.value);
  else waiter.reject(verdict.error);
  return true;
}

/**
 * The ordering rule: `candidate` is older than `current` when both are the same incarnation (same
 * uid) and its resourceVersion is lower or equal. The API calls resourceVersions opaque, but
 * kube-apiserver's are etcd revisions, decimal integers that grow with every write, and client-go's
 * own watch cache compares them the same way. An equal version is the same write seen twice (a
 * relist replaying it): not news. Versions that are not decimal integers (another server) or a
 * changed uid (the object was re-created) cannot be ordered, so the later arrival wins.
 */
export function isOlder(candidate: KubeObject, current: KubeObject): boolean {
  if (candidate.metadata['uid'] !== current.metadata['uid']) return false;
  const a = candidate.metadata['resourceVersion'];
  const b = current.metadata['resourceVersion'];
  if (typeof a !== 'string' || typeof b !== 'string' || !DECIMAL.test(a) || !DECIMAL.test(b)) return false;
  return a.length !== b.length ? a.length < b.length : a <= b;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The observation one Task object makes (no ordering applied). */
export function toObservation(object: KubeObject): Observation {
  const status = isJsonObject(object['status']) ? object['status'] : undefined;
  const parsed = parseTaskState(status?.['state']);
  const error = status?.['error'];
  const generation = object.metadata['generation'];
  return {
    state: typeof parsed === 'string' ? parsed : undefined,
    ...(typeof parsed === 'object' ? { unknownState: parsed.unknown } : {}),
    ...(typeof error === 'string' && error !== '' ? { error } : {}),
    ...(typeof generation === 'number' ? { generation } : {}),
    object,
  };
}

/** The Task's `spec.state`, the state asked for; undefined when it is not a string. */
export function desiredState(object: KubeObject): string | undefined {
  const spec = object['spec'];
  const desired = isJsonObject(spec) ? spec['state'] : undefined;
  return typeof desired === 'string' ? desired : undefined;
}

/** What an observation is reported as (reportOf). */
export interface ObservedReport {
  readonly state: ExecutorState;
  readonly reason: string;
  readonly taskState?: TaskState;
  readonly message?: string;
}

/** Reason of the update for a `status.state` outside the known states. */
export const UNKNOWN_STATE_REASON = 'UnknownState';

/**
 * What an observed Task is reported as, the same in KubectlTask and the fleet. A known
 * `status.state` maps to its executor state (TASK_RUNNING with the taskState, or a terminal one).
 * A value outside the known states (someone edited it, or a newer task manager) is reported, not
 * ignored and never fatal: TASK_RUNNING (the task manager wrote something, so the task exists)
 * with reason UnknownState, no taskState and the value in the message; a transition from it is
 * refused (WrongState) and the next known state is reported as usual. No status yet (and
 * `not-mapped`): nothing to report.
 */
export function reportOf(observation: Observation): ObservedReport | undefined {
  if (observation.unknownState !== undefined) {
    const value = observation.unknownState.length > 64 ? `${observation.unknownState.slice(0, 64)}…` : observation.unknownState;
    return {
      state: 'TASK_RUNNING',
      reason: UNKNOWN_STATE_REASON,
      message:
        `status.state ${JSON.stringify(value)} is not a state kubectl-task knows (standby, deployed, configured, running, error, done); ` +
        'the task is taken as running until a known state is written',
    };
  }
  const state = executorStateFor(observation.state);
  if (state === undefined || observation.state === undefined) return undefined;
  return { state, reason: observation.state, taskState: observation.state, ...(observation.error === undefined ? {} : { message: observation.error }) };
}
