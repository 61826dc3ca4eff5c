/**
 * One task of a scheduler, run as an aliecs.alice.cern Task through kubectl. The stage union says
 * where the task is in its life; every way out (kill, error, done, vanished, monitor gave up)
 * goes through finalize() so a terminal status is reported exactly once.
 */
import createDebug from 'debug';
import type { Kubectl } from '../kubectl/runner.ts';
import { apply, deleteObjects, getObject, patchJson, resourceArg, type JsonPatchOp } from '../kubectl/commands.ts';
import { contextNamespace } from '../kubectl/config.ts';
import type { ObjectRef } from '../kubectl/types.ts';
import type { WatchEvent } from '../watch/object-watcher.ts';
import { TaskError, describeRef as describe, messageOf, reasonOf } from './errors.ts';
import { defaultMonitor, type MonitorFactory, type MonitorHandle } from './monitor.ts';
import { renderTask, type RenderTaskArgs, type RenderedTask } from './render-task.ts';
import { executorStateFor, isTerminal, type ExecutorState, type TaskState } from './states.ts';
import { StatusTracker, type Observation } from './status-tracker.ts';
import { parseTransitionEvent, ruleFor, type TransitionEvent, type TransitionRule } from './transitions.ts';

const debug = createDebug('kubectl-task:task');

export type Stage =
  | { readonly kind: 'pending' }
  | { readonly kind: 'applying' }
  | { readonly kind: 'launched'; readonly rendered: RenderedTask }
  | { readonly kind: 'running'; readonly rendered: RenderedTask }
  | { readonly kind: 'killing'; readonly rendered: RenderedTask }
  | { readonly kind: 'failed'; readonly reason: string; readonly message: string }
  | { readonly kind: 'finished' }
  | { readonly kind: 'killed' };

export interface StatusUpdate {
  readonly taskId: string;
  readonly previous: ExecutorState | undefined;
  readonly state: ExecutorState;
  /** The Task's own `status.state` when it is what changed. */
  readonly previousTaskState?: TaskState;
  readonly taskState?: TaskState;
  /** Machine-readable cause: a TaskState, a KubectlReason, `Applied`, `Killed`, `Deleted`… */
  readonly reason: string;
  readonly message?: string;
}

export interface KubectlTaskOptions extends Omit<RenderTaskArgs, 'taskId'> {
  readonly id: string;
  readonly kubectl: Kubectl;
  /** Validate every document server-side before applying any (nothing half-applied). Default true. */
  readonly dryRunFirst?: boolean;
  readonly transitionTimeoutMs?: number;
  readonly killTimeoutMs?: number;
  readonly monitor?: MonitorFactory;
  readonly onStatus?: (update: StatusUpdate) => void;
}

export class KubectlTask {
  readonly id: string;
  private currentStage: Stage = { kind: 'pending' };
  private executorState: ExecutorState | undefined;
  private readonly tracker = new StatusTracker();
  private monitor: MonitorHandle | undefined;
  private killing: Promise<ExecutorState> | undefined;
  private contextNamespace: Promise<string | undefined> | undefined;
  /** One transition at a time: a second would race the first for spec.state. */
  private transitionInFlight: TransitionEvent | undefined;

  constructor(private readonly options: KubectlTaskOptions) {
    if (options.id.trim() === '') throw new TypeError('KubectlTask needs a non-empty id');
    this.id = options.id;
  }

  get stage(): Stage {
    return this.currentStage;
  }
  get status(): ExecutorState | undefined {
    return this.executorState;
  }
  get observed(): Observation | undefined {
    return this.tracker.last;
  }
  /** The Task object's address once rendered. */
  get taskRef(): ObjectRef | undefined {
    const stage = this.currentStage;
    return 'rendered' in stage ? stage.rendered.manifest.taskRef : undefined;
  }

  /** Renders without changing the cluster (it may read the kubeconfig's namespace). */
  async render(): Promise<RenderedTask> {
    const explicit = this.options.namespace?.explicit;
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

  /** Renders, applies every document in one kubectl call, then follows the Task. */
  async launch(): Promise<void> {
    if (this.currentStage.kind !== 'pending') throw this.error('AlreadyLaunched', `task ${this.id} was already launched`);
    this.currentStage = { kind: 'applying' };
    this.report('TASK_STAGING', 'Rendering');
    let rendered: RenderedTask;
    try {
      rendered = await this.render();
      await this.options.kubectl.ensureVersion();
      if (this.options.dryRunFirst ?? true) await apply(this.options.kubectl, rendered.yaml, { dryRun: 'server' });
      await apply(this.options.kubectl, rendered.yaml);
    } catch (error) {
      this.finalize('TASK_FAILED', reasonOf(error), messageOf(error));
      throw error;
    }
    this.currentStage = { kind: 'launched', rendered };
    this.report('TASK_STARTING', 'Applied', `applied ${rendered.manifest.refs.map(resourceArg).join(', ')}`);
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
    return this.tracker.last ?? this.fail('TaskGone', 'no observation');
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
      return await this.runTransition(event, rule, stage.rendered, args);
    } finally {
      this.transitionInFlight = undefined;
    }
  }

  private async runTransition(event: TransitionEvent, rule: TransitionRule, rendered: RenderedTask, args: Readonly<Record<string, string>>): Promise<Observation> {
    const timeoutMs = this.options.transitionTimeoutMs ?? 30_000;
    const ref = rendered.manifest.taskRef;
    // Right after launch the task manager may not have written a status yet: wait for one.
    const current = await this.tracker.waitFor({
      decide: (o) => (o === 'deleted' ? { settle: 'reject', error: this.error('TaskGone', `${describe(ref)} was deleted`) } : o.state === undefined ? undefined : { settle: 'resolve', value: o }),
      timeoutMs,
      onTimeout: () => this.error('TransitionTimeout', `task ${this.id}: ${describe(ref)} reported no status.state within ${timeoutMs} ms`),
    });
    if (current.state !== rule.from) {
      throw this.error('WrongState', `task ${this.id}: cannot ${event} from "${current.state}"; ${event} needs "${rule.from}"`);
    }
    const ops: JsonPatchOp[] = [{ op: 'add', path: '/spec/state', value: rule.to }];
    if (rule.carriesArguments) ops.push({ op: 'add', path: '/spec/arguments', value: { ...args } });
    debug('%s: %s %s → %s', this.id, event, rule.from, rule.to);
    const waiting = this.tracker.waitFor({
      decide: (o) => {
        if (o === 'deleted') return { settle: 'reject', error: this.error('TaskGone', `task ${this.id}: ${describe(ref)} was deleted during ${event}`) };
        if (o.state === rule.to) return { settle: 'resolve', value: o };
        if (o.state === 'error') {
          return { settle: 'reject', error: this.error('TransitionFailed', `task ${this.id}: ${event} failed: ${o.error ?? 'status.state is error (no status.error given)'}`) };
        }
        if (o.state === 'done') return { settle: 'reject', error: this.error('TransitionFailed', `task ${this.id}: ${event} interrupted: the task finished`) };
        return undefined;
      },
      timeoutMs,
      onTimeout: (last) => this.error('TransitionTimeout', `task ${this.id}: ${event} timed out after ${timeoutMs} ms waiting for "${rule.to}"; last observed status.state: ${last?.state ?? last?.unknownState ?? 'none'}`),
    });
    waiting.catch(() => {}); // settled through the await below; avoid an unhandled rejection meanwhile
    try {
      const patched = await patchJson(this.options.kubectl, ref, ops);
      this.onWatchEvent({ type: 'observed', object: patched, via: 'poll' });
    } catch (error) {
      this.tracker.abortAll(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    return waiting;
  }

  /** Deletes the Task and its own companions; always ends in a terminal status. Idempotent. */
  kill(): Promise<ExecutorState> {
    if (isTerminal(this.executorState) && this.currentStage.kind !== 'killing') return Promise.resolve(this.executorState as ExecutorState);
    this.killing ??= this.doKill();
    return this.killing;
  }

  private async doKill(): Promise<ExecutorState> {
    let rendered: RenderedTask;
    const stage = this.currentStage;
    try {
      rendered = 'rendered' in stage ? stage.rendered : await this.render();
    } catch (error) {
      return this.finalize('TASK_FAILED', reasonOf(error), messageOf(error));
    }
    this.currentStage = { kind: 'killing', rendered };
    await this.stopMonitor();
    this.tracker.abortAll(this.error('Terminated', `task ${this.id} was killed`));
    try {
      await deleteObjects(this.options.kubectl, rendered.manifest.refs, { ignoreNotFound: true, wait: true, timeoutMs: this.options.killTimeoutMs ?? 60_000 });
      return this.finalize('TASK_KILLED', 'Killed', `deleted ${rendered.manifest.refs.map(resourceArg).join(', ')}`);
    } catch (error) {
      return this.finalize('TASK_FAILED', reasonOf(error), `kill failed: ${messageOf(error)}`);
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
          this.report(state, current.state, undefined, previous?.state, current.state);
        } else {
          this.finalize(state, current.state, current.error, previous?.state, current.state);
        }
        return;
      }
      case 'deleted':
        this.tracker.markDeleted();
        this.finalize('TASK_LOST', 'Deleted', `${describe(stage.rendered.manifest.taskRef)} was deleted outside kubectl-task`);
        return;
      case 'error':
        debug('%s: monitor error %d: %s', this.id, event.consecutive, event.error.message);
        return;
      case 'gave-up':
        this.finalize('TASK_FAILED', event.error.reason, `monitoring gave up: ${event.error.message}`);
        return;
    }
  }

  private finalize(state: ExecutorState, reason: string, message?: string, previousTaskState?: TaskState, taskState?: TaskState): ExecutorState {
    if (isTerminal(this.executorState)) return this.executorState as ExecutorState;
    this.currentStage =
      state === 'TASK_KILLED' ? { kind: 'killed' } : state === 'TASK_FINISHED' ? { kind: 'finished' } : { kind: 'failed', reason, message: message ?? reason };
    this.report(state, reason, message, previousTaskState, taskState);
    this.tracker.abortAll(this.error('Terminated', `task ${this.id} ended: ${state}${message ? ` (${message})` : ''}`));
    void this.stopMonitor();
    return state;
  }

  private report(state: ExecutorState, reason: string, message?: string, previousTaskState?: TaskState, taskState?: TaskState): void {
    const previous = this.executorState;
    this.executorState = state;
    const update: StatusUpdate = {
      taskId: this.id,
      previous,
      state,
      reason,
      ...(message === undefined ? {} : { message }),
      ...(previousTaskState === undefined ? {} : { previousTaskState }),
      ...(taskState === undefined ? {} : { taskState }),
    };
    debug('%s: %s → %s (%s)', this.id, previous ?? '-', state, reason);
    this.options.onStatus?.(update);
  }

  private error(reason: TaskError['reason'], message: string): TaskError {
    return new TaskError({ reason, taskId: this.id, message });
  }

  private fail(reason: TaskError['reason'], message: string): never {
    throw this.error(reason, message);
  }
}
