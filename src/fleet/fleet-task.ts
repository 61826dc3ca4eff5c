/**
 * One task of a fleet: no kubectl process of its own, only what the shared informer tells it.
 * It keeps the last observation (never replaced by an older one), and pushes each change of
 * (executor state, status.state) exactly once with a per-task sequence number; nothing follows a
 * terminal state.
 */
import type { Clock } from '../clock.ts';
import type { ObjectRef, KubeObject } from '../kubectl/types.ts';
import { redactValues } from '../render/redact.ts';
import { isTerminal, type ExecutorState, type TaskState } from '../task/states.ts';
import { StatusTracker, desiredState, reportOf } from '../task/status-tracker.ts';
import type { FleetStatusUpdate, FleetTaskSnapshot } from './types.ts';

export type Phase =
  /** Rendered and reserved; being applied. */
  | 'launching'
  /** Applied (or reattached): followed through the informer. */
  | 'live'
  /** Our delete was sent; the informer's DELETED ends it as TASK_KILLED. */
  | 'killing'
  | 'ended';

export class FleetTask {
  phase: Phase = 'launching';
  readonly tracker = new StatusTracker();
  /** Every object of the task when this fleet rendered it; undefined for a reattached task. */
  refs: readonly ObjectRef[] | undefined;
  /** Set while the task is out of sight (outage past the grace period). */
  unreachable = false;
  transitionInFlight: string | undefined;
  /** The kill under way, which a second kill request shares. */
  killing: Promise<ExecutorState> | undefined;
  /** The task's secret values (RenderedTask.secrets), scrubbed from every message it pushes. */
  secrets: readonly string[] = [];
  /** The real apply was attempted: even a failed launch may have left objects for kill to remove. */
  mayHaveObjects = false;
  private seq = 0;
  private last: { state: ExecutorState; taskState: TaskState | undefined } | undefined;

  constructor(
    readonly taskId: string,
    readonly ref: ObjectRef,
    private readonly push: (update: FleetStatusUpdate) => void,
    private readonly clock: Clock,
  ) {}

  get key(): string {
    return `${this.ref.namespace ?? ''}/${this.ref.name}`;
  }

  get state(): ExecutorState | undefined {
    return this.last?.state;
  }

  get ended(): boolean {
    return isTerminal(this.last?.state);
  }

  /** Pushes a change; false when it is no change or the task already ended. */
  report(state: ExecutorState, reason: string, options: { taskState?: TaskState | undefined; message?: string | undefined } = {}): boolean {
    if (this.ended) return false;
    const taskState = options.taskState ?? (state === 'TASK_RUNNING' || isTerminal(state) ? this.tracker.last?.state : undefined);
    if (this.last !== undefined && this.last.state === state && this.last.taskState === taskState) return false;
    this.last = { state, taskState };
    this.seq += 1;
    if (isTerminal(state)) this.phase = 'ended';
    this.push({
      taskId: this.taskId,
      seq: this.seq,
      state,
      ...(taskState === undefined ? {} : { taskState }),
      reason,
      ...(options.message === undefined ? {} : { message: redactValues(options.message, this.secrets) }),
      time: new Date(this.clock.now()).toISOString(),
    });
    return true;
  }

  /** Feeds an object from the informer or a patch response; reports what it changes. */
  observe(object: KubeObject): void {
    const { stale } = this.tracker.observe(object);
    if (stale && !this.unreachable) return;
    this.reportCurrent();
  }

  /** Reports the last observation, once the task is live (a launching task is still quiet). */
  reportCurrent(): void {
    const current = this.tracker.last;
    if (current === undefined || (this.phase !== 'live' && this.phase !== 'killing')) return;
    // The same report as KubectlTask's (reportOf), an unknown status.state included.
    const report = reportOf(current);
    if (report === undefined) return;
    this.unreachable = false;
    this.report(report.state, report.reason, { taskState: report.taskState, ...(report.message === undefined ? {} : { message: report.message }) });
  }

  snapshot(): FleetTaskSnapshot {
    const observed = this.tracker.last;
    const desired = observed === undefined ? undefined : desiredState(observed.object);
    const resourceVersion = observed?.object.metadata['resourceVersion'];
    return {
      taskId: this.taskId,
      namespace: this.ref.namespace ?? '',
      name: this.ref.name,
      state: this.last?.state,
      ...(observed?.state === undefined ? {} : { taskState: observed.state }),
      ...(desired === undefined ? {} : { desired }),
      seq: this.seq,
      ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
    };
  }
}
