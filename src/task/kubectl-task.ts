/**
 * One task of a scheduler, run as an aliecs.alice.cern Task through kubectl. The stage union says
 * where the task is in its life; every way out (kill, error, done, vanished, monitor gave up)
 * goes through finalize() so a terminal status is reported exactly once, and kill() deletes the
 * task's own objects whatever stage it finds, also after the task failed or finished.
 */
import createDebug from 'debug';
import type { Kubectl } from '../kubectl/runner.ts';
import { apply, getObject, resourceArg } from '../kubectl/commands.ts';
import { contextNamespace } from '../kubectl/config.ts';
import type { ObjectRef } from '../kubectl/types.ts';
import type { WatchEvent } from '../watch/object-watcher.ts';
import { TaskError, describeRef as describe, messageOf, reasonOf } from './errors.ts';
import { defaultMonitor, type MonitorFactory, type MonitorHandle } from './monitor.ts';
import { assertNothingForeign, deleteOwned } from './ownership.ts';
import { renderTask, type RenderTaskArgs, type RenderedTask } from './render-task.ts';
import { executorStateFor, type ExecutorState, type TaskState } from './states.ts';
import { StatusReporter, type Report, type StatusUpdate } from './status-reporter.ts';
import { StatusTracker, type Observation } from './status-tracker.ts';
import { runTransition, type SetTimer } from './transition-runner.ts';
import { parseTransitionEvent, ruleFor, type TransitionEvent } from './transitions.ts';

const debug = createDebug('kubectl-task:task');

export type { StatusUpdate } from './status-reporter.ts';

export type Stage =
  | { readonly kind: 'pending' }
  | { readonly kind: 'applying' }
  | { readonly kind: 'launched'; readonly rendered: RenderedTask }
  | { readonly kind: 'running'; readonly rendered: RenderedTask }
  /** `rendered` is absent while a kill that came before any launch is still rendering. */
  | { readonly kind: 'killing'; readonly rendered?: RenderedTask }
  /** `rendered` is absent when rendering itself failed (nothing can have been applied). */
  | { readonly kind: 'failed'; readonly reason: string; readonly message: string; readonly rendered?: RenderedTask }
  | { readonly kind: 'finished'; readonly rendered: RenderedTask }
  | { readonly kind: 'killed' };

export interface KubectlTaskOptions extends Omit<RenderTaskArgs, 'taskId'> {
  readonly id: string;
  readonly kubectl: Kubectl;
  /** Validate every document server-side before applying any (nothing half-applied). Default true. */
  readonly dryRunFirst?: boolean;
  readonly transitionTimeoutMs?: number;
  readonly killTimeoutMs?: number;
  readonly monitor?: MonitorFactory;
  readonly onStatus?: (update: StatusUpdate) => void;
  /** Timer for transition timeouts (tests inject a manual one). */
  readonly setTimer?: SetTimer;
}

export class KubectlTask {
  readonly id: string;
  private currentStage: Stage = { kind: 'pending' };
  private readonly reporter: StatusReporter;
  private readonly tracker = new StatusTracker();
  private monitor: MonitorHandle | undefined;
  private launching: Promise<void> | undefined;
  private killInFlight: Promise<ExecutorState> | undefined;
  private contextNamespace: Promise<string | undefined> | undefined;
  /** One transition at a time: a second would race the first for spec.state. */
  private transitionInFlight: TransitionEvent | undefined;

  constructor(private readonly options: KubectlTaskOptions) {
    if (options.id.trim() === '') throw new TypeError('KubectlTask needs a non-empty id');
    this.id = options.id;
    this.reporter = new StatusReporter(options.id, options.onStatus);
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
  /** The Task object's address once rendered. */
  get taskRef(): ObjectRef | undefined {
    const stage = this.currentStage;
    return 'rendered' in stage ? stage.rendered?.manifest.taskRef : undefined;
  }

  /** Renders without changing the cluster (it may read the kubeconfig's namespace). */
  async render(): Promise<RenderedTask> {
    // kubectl's precedence: -n (the option, or the runner's namespace) over the kubeconfig context.
    const explicit = this.options.namespace?.explicit ?? this.options.kubectl.connection.namespace;
    let context = this.options.namespace?.context;
    if (explicit === undefined && context === undefined) {
      this.contextNamespace ??= contextNamespace(this.options.kubectl);
      context = await this.contextNamespace;
    }
    return renderTask({
      ...this.options,
      taskId: this.id,
      namespace: { ...(explicit === undefined ? {} : { explicit }), ...(context === undefined ? {} : { context }) },
    });
  }

  /** Renders, validates, applies every document in one kubectl call, then follows the Task. */
  launch(): Promise<void> {
    const stage = this.currentStage;
    if (stage.kind !== 'pending') {
      const why = stage.kind === 'killing' || stage.kind === 'killed' ? 'Terminated' : 'AlreadyLaunched';
      return Promise.reject(this.error(why, `task ${this.id}: cannot launch in stage ${stage.kind}`));
    }
    this.currentStage = { kind: 'applying' };
    // Set before the first report: a listener that kills on TASK_STAGING must find the launch to wait for.
    this.launching = this.doLaunch();
    this.reporter.report({ state: 'TASK_STAGING', reason: 'Rendering' });
    return this.launching;
  }

  private async doLaunch(): Promise<void> {
    let rendered: RenderedTask | undefined;
    try {
      rendered = await this.render();
      await this.options.kubectl.ensureVersion();
      if (this.options.dryRunFirst ?? true) await apply(this.options.kubectl, rendered.yaml, { dryRun: 'server' });
      await assertNothingForeign(this.options.kubectl, rendered, this.id);
      await apply(this.options.kubectl, rendered.yaml);
    } catch (error) {
      this.finalize({ state: 'TASK_FAILED', reason: reasonOf(error), message: messageOf(error), ...(rendered === undefined ? {} : { rendered }) });
      throw error;
    }
    this.currentStage = { kind: 'launched', rendered };
    this.reporter.report({ state: 'TASK_STARTING', reason: 'Applied', message: `applied ${rendered.manifest.refs.map(resourceArg).join(', ')}` });
    this.startMonitor(rendered);
  }

  /** Follows a Task launched earlier (by another process) from the same template and env. */
  async attach(): Promise<Observation> {
    if (this.currentStage.kind !== 'pending') throw this.error('AlreadyLaunched', `task ${this.id} is already attached`);
    const rendered = await this.render();
    await this.options.kubectl.ensureVersion();
    const object = await getObject(this.options.kubectl, rendered.manifest.taskRef);
    if (object === undefined) throw this.error('TaskGone', `${describe(rendered.manifest.taskRef)} not found: launch it first`);
    this.currentStage = { kind: 'launched', rendered };
    this.onWatchEvent({ type: 'observed', object, via: 'poll' });
    this.startMonitor(rendered);
    const observation = this.tracker.last;
    if (observation === undefined) throw this.error('TaskGone', `${describe(rendered.manifest.taskRef)}: nothing observed`);
    return observation;
  }

  /** Moves the Task along its state machine; resolves once `status.state` reached the target. */
  async transition(eventName: TransitionEvent | string, args: Readonly<Record<string, string>> = {}): Promise<Observation> {
    const event = parseTransitionEvent(eventName);
    const rule = event === undefined ? undefined : ruleFor(event);
    if (event === undefined || rule === undefined) {
      throw this.error('UnsupportedTransition', `task ${this.id}: transition ${eventName} is not supported by a Task (CONFIGURE, START, STOP, RESET)`);
    }
    const stage = this.currentStage;
    if (stage.kind !== 'launched' && stage.kind !== 'running') {
      throw this.error(stage.kind === 'pending' || stage.kind === 'applying' ? 'NotLaunched' : 'Terminated', `task ${this.id}: cannot ${event} in stage ${stage.kind}`);
    }
    if (this.transitionInFlight !== undefined) {
      throw this.error('WrongState', `task ${this.id}: cannot ${event} while ${this.transitionInFlight} is in progress`);
    }
    this.transitionInFlight = event;
    try {
      return await runTransition({
        taskId: this.id,
        event,
        rule,
        ref: stage.rendered.manifest.taskRef,
        args,
        kubectl: this.options.kubectl,
        tracker: this.tracker,
        timeoutMs: this.options.transitionTimeoutMs ?? 30_000,
        ...(this.options.setTimer === undefined ? {} : { setTimer: this.options.setTimer }),
        onPatched: (object) => this.onWatchEvent({ type: 'observed', object, via: 'poll' }),
      });
    } finally {
      this.transitionInFlight = undefined;
    }
  }

  /**
   * Deletes the Task and its own companions (never an object another task owns) and waits until
   * they are gone. A live task ends in TASK_KILLED, or TASK_FAILED with the reason. A task that
   * had already ended keeps its terminal status (nothing follows one): kill() resolves with it
   * once the objects are gone and rejects if that cleanup fails, so the caller can retry.
   * Idempotent; a kill before launch wins over a later launch().
   */
  kill(): Promise<ExecutorState> {
    // A kill before any launch wins: a launch called after it is refused, not raced.
    if (this.currentStage.kind === 'pending') this.currentStage = { kind: 'killing' };
    this.killInFlight ??= this.doKill().finally(() => {
      this.killInFlight = undefined;
    });
    return this.killInFlight;
  }

  private async doKill(): Promise<ExecutorState> {
    await this.launching?.catch(() => {}); // a launch in flight settles first, then is undone
    const stage = this.currentStage;
    if (stage.kind === 'killed') return this.reporter.state ?? 'TASK_KILLED';
    let rendered: RenderedTask;
    try {
      rendered = 'rendered' in stage && stage.rendered !== undefined ? stage.rendered : await this.render();
      await this.options.kubectl.ensureVersion();
    } catch (error) {
      return this.finalize({ state: 'TASK_FAILED', reason: reasonOf(error), message: messageOf(error) });
    }
    const ended = this.reporter.ended ? stage : undefined;
    this.currentStage = { kind: 'killing', rendered };
    await this.stopMonitor();
    this.tracker.abortAll(this.error('Terminated', `task ${this.id} was killed`));
    try {
      const deleted = await deleteOwned(this.options.kubectl, rendered, this.id, this.options.killTimeoutMs ?? 60_000);
      const endedAs = this.reporter.state;
      if (ended !== undefined && endedAs !== undefined) {
        this.currentStage = { kind: 'killed' };
        debug('%s: cleaned up after %s: %s', this.id, endedAs, deleted);
        return endedAs;
      }
      return this.finalize({ state: 'TASK_KILLED', reason: 'Killed', message: deleted });
    } catch (error) {
      if (ended !== undefined) {
        this.currentStage = ended;
        throw error; // the status was reported long ago; the caller learns the cleanup failed
      }
      return this.finalize({ state: 'TASK_FAILED', reason: reasonOf(error), message: `kill failed: ${messageOf(error)}`, rendered });
    }
  }

  /** Stops following the Task without touching it (executor shutdown). */
  async detach(): Promise<void> {
    await this.stopMonitor();
  }

  private startMonitor(rendered: RenderedTask): void {
    const factory = this.options.monitor ?? defaultMonitor;
    this.monitor = factory({ kubectl: this.options.kubectl, ref: rendered.manifest.taskRef, onEvent: (event) => this.onWatchEvent(event) });
  }

  private async stopMonitor(): Promise<void> {
    const monitor = this.monitor;
    this.monitor = undefined;
    await monitor?.stop();
  }

  private onWatchEvent(event: WatchEvent): void {
    const stage = this.currentStage;
    if (stage.kind !== 'launched' && stage.kind !== 'running') return;
    switch (event.type) {
      case 'observed': {
        const { previous, current } = this.tracker.observe(event.object);
        if (current.state === undefined || current.state === previous?.state) return;
        const state = executorStateFor(current.state);
        if (state === undefined) return;
        if (state === 'TASK_RUNNING') {
          this.currentStage = { kind: 'running', rendered: stage.rendered };
          this.reporter.report({ state, reason: current.state, previousTaskState: previous?.state, taskState: current.state });
        } else {
          this.finalize({ state, reason: current.state, ...(current.error === undefined ? {} : { message: current.error }), rendered: stage.rendered, previousTaskState: previous?.state, taskState: current.state });
        }
        return;
      }
      case 'deleted':
        this.tracker.markDeleted();
        this.finalize({ state: 'TASK_LOST', reason: 'Deleted', message: `${describe(stage.rendered.manifest.taskRef)} was deleted outside kubectl-task`, rendered: stage.rendered });
        return;
      case 'error':
        debug('%s: monitor error %d: %s', this.id, event.consecutive, event.error.message);
        return;
      case 'gave-up':
        this.finalize({ state: 'TASK_FAILED', reason: event.error.reason, message: `monitoring gave up: ${event.error.message}`, rendered: stage.rendered });
        return;
    }
  }

  private finalize(end: Report & { rendered?: RenderedTask }): ExecutorState {
    const { state, reason, message, rendered } = end;
    if (this.reporter.ended) return this.reporter.state ?? state;
    this.currentStage =
      state === 'TASK_KILLED'
        ? { kind: 'killed' }
        : state === 'TASK_FINISHED' && rendered !== undefined
          ? { kind: 'finished', rendered }
          : { kind: 'failed', reason, message: message ?? reason, ...(rendered === undefined ? {} : { rendered }) };
    this.reporter.report(end);
    this.tracker.abortAll(this.error('Terminated', `task ${this.id} ended: ${state}${message ? ` (${message})` : ''}`));
    void this.stopMonitor();
    return state;
  }

  private error(reason: TaskError['reason'], message: string): TaskError {
    return new TaskError({ reason, taskId: this.id, message });
  }
}
