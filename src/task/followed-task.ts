/**
 * The half of a KubectlTask that follows its Task and reports: the stage it is in, the monitor
 * and what its events mean, the status updates (each once, nothing after a terminal one), the
 * wait for the first status, and finalize(), the one way every end goes (kill, error, done,
 * vanished, monitor gave up). KubectlTask adds what acts on the Task: launch, attach, transition
 * and kill.
 */
import { systemClock } from '../clock.ts';
import type { TaskReason } from '../errors.ts';
import type { ObjectRef } from '../kubectl/types.ts';
import { redactValues } from '../render/redact.ts';
import type { WatchEvent } from '../watch/object-watcher.ts';
import { TaskError, describeRef } from './errors.ts';
import { UnreachableAlarm, defaultMonitor, meaningOf, type MonitorHandle } from './monitor.ts';
import { ANNOTATION_KILLED_BY, type OwnerScope } from './ownership.ts';
import { scopeOfStage, stageAfter, type Stage } from './stage.ts';
import type { ExecutorState } from './states.ts';
import { TASK_ID_RULE, taskIdProblem } from './task-id.ts';
import { StatusReporter, type Report } from './status-reporter.ts';
import { StatusTracker, type Observation } from './status-tracker.ts';
import { StatusWaiters, hasReported } from './status-wait.ts';
import { DEFAULT_LAUNCH_TIMEOUT_MS, DEFAULT_UNREACHABLE_GRACE_MS, type CommonOptions } from './task-options.ts';

export abstract class FollowedTask {
  readonly id: string;
  protected currentStage: Stage = { kind: 'pending' };
  protected readonly options: CommonOptions;
  protected readonly reporter: StatusReporter;
  protected readonly tracker = new StatusTracker();
  /** Callers of waitForStatus(), told of every reported state. */
  private readonly statusWaiters = new StatusWaiters();
  private monitor: MonitorHandle | undefined;
  /** Who marked the Task for deletion (ANNOTATION_KILLED_BY), as last observed. */
  private killedBy: string | undefined;
  /** Armed while the monitor keeps failing transiently. */
  private readonly unreachable: UnreachableAlarm;

  constructor(options: CommonOptions) {
    const problem = taskIdProblem(options.id);
    if (problem !== undefined) {
      throw new TypeError(problem === TASK_ID_RULE ? `KubectlTask id ${JSON.stringify(options.id)} ${problem}` : 'KubectlTask needs a non-empty id');
    }
    this.id = options.id;
    this.options = options;
    this.reporter = new StatusReporter(options.id, (update) => {
      options.onStatus?.(update);
      this.statusWaiters.notify(update.state);
    });
    const graceMs = options.unreachableGraceMs ?? DEFAULT_UNREACHABLE_GRACE_MS;
    this.unreachable = new UnreachableAlarm(options.clock ?? systemClock, graceMs, (why) => {
      const stage = this.currentStage.kind;
      if (stage !== 'launched' && stage !== 'running') return;
      this.reporter.report({ state: 'TASK_UNREACHABLE', reason: 'Unreachable', message: `the API server could not be reached for ${graceMs} ms: ${why}` });
    });
  }

  get stage(): Stage {
    return this.currentStage;
  }
  get status(): ExecutorState | undefined {
    return this.reporter.state;
  }
  get observed(): Observation | undefined {
    return this.tracker.last;
  }
  /** The Task object's address once rendered or found. */
  get taskRef(): ObjectRef | undefined {
    return scopeOfStage(this.currentStage)?.taskRef;
  }

  /**
   * Resolves with the executor state once the Task has reported a `status.state` (TASK_RUNNING,
   * or a terminal state, also one a kill or a delete caused); at once when it already has.
   * Rejects with NoStatus after `timeoutMs` (default launchTimeoutMs, else 60 000) or when
   * `signal` aborts; nothing is changed then.
   */
  waitForStatus(options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {}): Promise<ExecutorState> {
    const current = this.reporter.state;
    if (hasReported(current)) return Promise.resolve(current);
    const stage = this.currentStage;
    if (stage.kind === 'pending' || stage.kind === 'applying') {
      return Promise.reject(this.error('NotLaunched', `task ${this.id}: no status to wait for in stage ${stage.kind} (launch or attach first)`));
    }
    const timeoutMs = options.timeoutMs ?? this.options.launchTimeoutMs ?? DEFAULT_LAUNCH_TIMEOUT_MS;
    const ref = this.taskRef;
    const what = ref === undefined ? `task ${this.id}` : describeRef(ref);
    return this.statusWaiters.wait({
      clock: this.options.clock ?? systemClock,
      timeoutMs,
      signal: options.signal,
      timedOut: () =>
        this.error(
          'NoStatus',
          `task ${this.id}: ${what} reported no status.state within ${timeoutMs} ms (is its task manager running?); the Task is left as it is`,
        ),
      aborted: () => this.error('NoStatus', `task ${this.id}: stopped waiting before ${what} reported a status.state; the Task is left as it is`),
    });
  }

  /** Stops following the Task without touching it (executor shutdown). */
  async detach(): Promise<void> {
    await this.stopMonitor();
  }

  protected startMonitor(ref: ObjectRef): void {
    const factory = this.options.monitor ?? defaultMonitor;
    this.monitor = factory({ kubectl: this.options.kubectl, ref, onEvent: (event) => this.onWatchEvent(event) });
  }

  protected async stopMonitor(): Promise<void> {
    this.unreachable.clear();
    const monitor = this.monitor;
    this.monitor = undefined;
    await monitor?.stop();
  }

  protected onWatchEvent(event: WatchEvent): void {
    const stage = this.currentStage;
    if (stage.kind !== 'launched' && stage.kind !== 'running') return;
    const { target } = stage;
    if (event.type !== 'error') this.unreachable.clear();
    // A kill mark is never taken back: keep it even if an older copy of the object arrives late.
    if (event.type === 'observed') this.killedBy = event.object.metadata.annotations?.[ANNOTATION_KILLED_BY] ?? this.killedBy;
    const meaning = meaningOf(event, this.tracker, { taskId: this.id, what: describeRef(target.taskRef), killedBy: this.killedBy });
    switch (meaning.kind) {
      case 'running':
        this.currentStage = { kind: 'running', target };
        this.reporter.report(meaning.report);
        return;
      case 'ended':
        this.finalize({ ...meaning.end, scope: target });
        return;
      case 'unreachable':
        this.unreachable.start(meaning.why);
        return;
      case 'none':
        return;
    }
  }

  protected finalize(end: Report & { scope?: OwnerScope }): ExecutorState {
    const { state } = end;
    const message = end.message === undefined ? undefined : redactValues(end.message, this.reporter.secrets);
    if (this.reporter.ended) return this.reporter.state ?? state;
    this.currentStage = stageAfter({ ...end, message });
    this.reporter.report(end);
    this.tracker.abortAll(this.error('Terminated', `task ${this.id} ended: ${state}${message ? ` (${message})` : ''}`));
    void this.stopMonitor();
    return state;
  }

  protected error(reason: TaskReason, message: string): TaskError {
    return new TaskError({ reason, taskId: this.id, message });
  }
}
