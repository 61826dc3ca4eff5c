/**
 * One task of a scheduler, run as an aliecs.alice.cern Task through kubectl. The stage union says
 * where the task is in its life; every way out (kill, error, done, vanished, monitor gave up)
 * goes through finalize() so a terminal status is reported exactly once, and kill() deletes the
 * task's own objects whatever stage it finds, also after the task failed or finished.
 *
 * A task is made from its template (it can be launched), or by id (KubectlTask.byId: a task
 * launched elsewhere, found by its task-id label, that can be attached, moved and killed).
 */
import createDebug from 'debug';
import { systemClock, type Clock } from '../clock.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import { apply, getObject, resourceArg } from '../kubectl/commands.ts';
import { contextNamespace } from '../kubectl/config.ts';
import { TRANSIENT_REASONS, type KubeObject, type ObjectRef } from '../kubectl/types.ts';
import { sanitizeLabelValue } from '../manifest/index.ts';
import type { WatchEvent } from '../watch/object-watcher.ts';
import { describeLocator, effectiveNamespace, findTask, type TaskLocator } from './by-id.ts';
import { messageOf, reasonOf } from '../errors.ts';
import { TaskError, describeRef as describe, scrubError } from './errors.ts';
import { defaultMonitor, type MonitorFactory, type MonitorHandle } from './monitor.ts';
import { ANNOTATION_KILLED_BY, assertLaunchable, deleteOwned, killerIdentity, scopeOfRendered, scopeOfTask, type OwnerScope, type TaskTarget } from './ownership.ts';
import { renderTask, type RenderTaskArgs, type RenderedTask } from './render-task.ts';
import { redactValues } from '../render/redact.ts';
import { isTerminal, type ExecutorState } from './states.ts';
import { StatusReporter, type Report, type StatusUpdate } from './status-reporter.ts';
import { StatusTracker, reportOf, type Observation } from './status-tracker.ts';
import { runTransition } from './transition-runner.ts';
import { parseTransitionEvent, ruleFor, type TransitionEvent } from './transitions.ts';

const debug = createDebug('kubectl-task:task');

export type { StatusUpdate } from './status-reporter.ts';

export type Stage =
  | { readonly kind: 'pending' }
  | { readonly kind: 'applying' }
  | { readonly kind: 'launched'; readonly target: TaskTarget }
  | { readonly kind: 'running'; readonly target: TaskTarget }
  /** `scope` is absent while a kill that came before any launch is still finding what to delete. */
  | { readonly kind: 'killing'; readonly scope?: OwnerScope }
  /** `scope` is absent when the task failed before knowing what it owns (rendering failed: nothing applied). */
  | { readonly kind: 'failed'; readonly reason: string; readonly message: string; readonly scope?: OwnerScope }
  | { readonly kind: 'finished'; readonly scope: OwnerScope }
  | { readonly kind: 'killed' };

/** What every task takes, however it is made (from a template, or by id). */
interface CommonOptions {
  readonly id: string;
  readonly kubectl: Kubectl;
  readonly transitionTimeoutMs?: number;
  readonly killTimeoutMs?: number;
  /** Bound of launch()'s wait for the first `status.state` (default 60 000). */
  readonly launchTimeoutMs?: number;
  /**
   * How long the API server may stay unreachable (the monitor failing with a transient reason)
   * before the task reports TASK_UNREACHABLE; the next observation reports its state again.
   * Default 60 000, as the fleet's. A transient failure never ends a task.
   */
  readonly unreachableGraceMs?: number;
  readonly monitor?: MonitorFactory;
  readonly onStatus?: (update: StatusUpdate) => void;
  /** Arms the launch, transition and unreachable timeouts (default systemClock; tests inject a manual one). */
  readonly clock?: Clock;
}

export interface KubectlTaskOptions extends Omit<RenderTaskArgs, 'taskId'>, CommonOptions {
  /** Validate every document server-side before applying any (nothing half-applied). Default true. */
  readonly dryRunFirst?: boolean;
}

/**
 * A task launched earlier, found by the id it was launched with (its `kubectl-task/task-id`
 * label): it can be attached, moved and killed, not launched (there is no template).
 */
export interface KubectlTaskByIdOptions extends CommonOptions {
  /** Where to look; default: the runner's -n, else the kubeconfig context's namespace. */
  readonly namespace?: string;
  readonly template?: never;
}

export interface LaunchOptions {
  /**
   * `first-status` (default): resolve once the Task reports its first `status.state`
   * (TASK_RUNNING, or a terminal state), or once the task ended otherwise (a kill meanwhile).
   * `applied`: resolve right after the apply (TASK_STARTING).
   */
  readonly until?: 'first-status' | 'applied';
  /** Bound of the wait for the first status; default the task's launchTimeoutMs, else 60 000. */
  readonly timeoutMs?: number;
  /** Ends the wait (NoStatus), not the apply: what was applied stays. */
  readonly signal?: AbortSignal;
}

type Source = { readonly kind: 'template'; readonly options: KubectlTaskOptions } | { readonly kind: 'by-id'; readonly namespace: string | undefined };

const DEFAULT_LAUNCH_TIMEOUT_MS = 60_000;
const DEFAULT_UNREACHABLE_GRACE_MS = 60_000;

/** A state that answers "did the Task report?": the first status.state maps to RUNNING or ends it. */
function hasReported(state: ExecutorState | undefined): state is ExecutorState {
  return state === 'TASK_RUNNING' || isTerminal(state);
}

export class KubectlTask {
  readonly id: string;
  private currentStage: Stage = { kind: 'pending' };
  private readonly options: CommonOptions;
  private readonly source: Source;
  private readonly reporter: StatusReporter;
  private readonly tracker = new StatusTracker();
  /** Callers of waitForStatus(), told of every reported state. */
  private readonly statusWaiters = new Set<(state: ExecutorState) => void>();
  private monitor: MonitorHandle | undefined;
  /** The apply of launch() (not its wait for a status): what a kill waits for before undoing it. */
  private applying: Promise<void> | undefined;
  private killInFlight: Promise<ExecutorState> | undefined;
  private contextNamespace: Promise<string | undefined> | undefined;
  /** One transition at a time: a second would race the first for spec.state. */
  private transitionInFlight: TransitionEvent | undefined;
  /** Who marked the Task for deletion (ANNOTATION_KILLED_BY), as last observed. */
  private killedBy: string | undefined;
  /** Set while the monitor keeps failing transiently: cancels the TASK_UNREACHABLE timer. */
  private unreachableTimer: (() => void) | undefined;

  constructor(options: KubectlTaskOptions | KubectlTaskByIdOptions) {
    if (options.id.trim() === '') throw new TypeError('KubectlTask needs a non-empty id');
    this.id = options.id;
    this.options = options;
    this.source = options.template === undefined ? { kind: 'by-id', namespace: options.namespace } : { kind: 'template', options };
    this.reporter = new StatusReporter(options.id, (update) => {
      options.onStatus?.(update);
      for (const waiter of [...this.statusWaiters]) waiter(update.state);
    });
  }

  /** A task launched earlier (by this or another process), found by its task id; see KubectlTaskByIdOptions. */
  static byId(options: KubectlTaskByIdOptions): KubectlTask {
    return new KubectlTask(options);
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

  /** Renders without changing the cluster (it may read the kubeconfig's namespace). */
  async render(): Promise<RenderedTask> {
    const source = this.source;
    if (source.kind === 'by-id') throw this.error('NoTemplate', `task ${this.id} was found by id: it has no template to render`);
    const options = source.options;
    // kubectl's precedence: -n (the option, or the runner's namespace) over the kubeconfig context.
    const explicit = options.namespace?.explicit ?? options.kubectl.connection.namespace;
    let context = options.namespace?.context;
    if (explicit === undefined && context === undefined) {
      this.contextNamespace ??= contextNamespace(options.kubectl);
      context = await this.contextNamespace;
    }
    return renderTask({
      ...options,
      taskId: this.id,
      namespace: { ...(explicit === undefined ? {} : { explicit }), ...(context === undefined ? {} : { context }) },
    });
  }

  /**
   * Renders, validates, applies every document in one kubectl call, follows the Task and (unless
   * `until: 'applied'`) resolves with the first executor state its `status.state` maps to. A Task
   * of this task id that already exists is never changed: the launch fails with AlreadyLaunched
   * and the task stays pending, so attach() can follow it instead. No status within the timeout
   * rejects with NoStatus and leaves everything as it is: the task keeps following the Task (a
   * late status is still reported); kill() or detach() it.
   */
  launch(options: LaunchOptions = {}): Promise<ExecutorState> {
    if (this.source.kind === 'by-id') {
      return Promise.reject(this.error('NoTemplate', `task ${this.id} was found by id: launching needs its template (new KubectlTask({ template, … }))`));
    }
    const stage = this.currentStage;
    if (stage.kind !== 'pending') {
      const why = stage.kind === 'killing' || stage.kind === 'killed' ? 'Terminated' : 'AlreadyLaunched';
      return Promise.reject(this.error(why, `task ${this.id}: cannot launch in stage ${stage.kind}`));
    }
    this.currentStage = { kind: 'applying' };
    // Set before the first report: a listener that kills on TASK_STAGING must find the apply to wait for.
    const applying = this.doApply();
    this.applying = applying;
    this.reporter.report({ state: 'TASK_STAGING', reason: 'Rendering' });
    if (options.until === 'applied') return applying.then(() => this.reporter.state ?? 'TASK_STARTING');
    return applying.then(() => this.waitForStatus({ ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) }));
  }

  private async doApply(): Promise<void> {
    let rendered: RenderedTask | undefined;
    const kubectl = this.options.kubectl;
    try {
      rendered = await this.render();
      this.reporter.secrets = rendered.secrets;
      await kubectl.ensureVersion();
      // The one read that refuses (already launched, or someone else's object) comes first: a
      // refused launch needs no server-side validation.
      await assertLaunchable(kubectl, rendered, this.id);
      if (this.source.kind === 'template' && (this.source.options.dryRunFirst ?? true)) await apply(kubectl, rendered.yaml, { dryRun: 'server' });
      await apply(kubectl, rendered.yaml);
    } catch (error) {
      if (error instanceof TaskError && error.reason === 'AlreadyLaunched') {
        // Nothing was done and the running task is not failed: report nothing terminal, and stay
        // pending so that this same object can attach() to it.
        this.currentStage = { kind: 'pending' };
        throw error;
      }
      const scrubbed = scrubError(error, rendered?.secrets ?? []);
      this.finalize({ state: 'TASK_FAILED', reason: reasonOf(scrubbed), message: messageOf(scrubbed), ...(rendered === undefined ? {} : { scope: scopeOfRendered(rendered, this.id) }) });
      throw scrubbed;
    }
    const target = scopeOfRendered(rendered, this.id);
    this.currentStage = { kind: 'launched', target };
    this.reporter.report({ state: 'TASK_STARTING', reason: 'Applied', message: `applied ${rendered.manifest.refs.map(resourceArg).join(', ')}` });
    this.startMonitor(target.taskRef);
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
    const what = ref === undefined ? `task ${this.id}` : describe(ref);
    const signal = options.signal;
    return new Promise<ExecutorState>((resolve, reject) => {
      let cancelTimer: () => void = () => {};
      const settle = (outcome: () => void): void => {
        cancelTimer();
        this.statusWaiters.delete(onState);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const onState = (state: ExecutorState): void => {
        if (hasReported(state)) settle(() => resolve(state));
      };
      const onAbort = (): void => settle(() => reject(this.error('NoStatus', `task ${this.id}: stopped waiting before ${what} reported a status.state; the Task is left as it is`)));
      this.statusWaiters.add(onState);
      cancelTimer = (this.options.clock ?? systemClock).setTimer(
        () => settle(() => reject(this.error('NoStatus', `task ${this.id}: ${what} reported no status.state within ${timeoutMs} ms (is its task manager running?); the Task is left as it is`))),
        timeoutMs,
      );
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Follows a Task launched earlier (by this or another process): from the same template and
   * env, or by id. Resolves with what it observed first; reports TASK_RUNNING when that already
   * has a status.state.
   */
  async attach(): Promise<Observation> {
    if (this.currentStage.kind !== 'pending') throw this.error('AlreadyLaunched', `task ${this.id} is already attached`);
    const { target, object } = await this.locate();
    this.currentStage = { kind: 'launched', target };
    this.onWatchEvent({ type: 'observed', object, via: 'poll' });
    this.startMonitor(target.taskRef);
    const observation = this.tracker.last;
    if (observation === undefined) throw this.error('TaskGone', `${describe(target.taskRef)}: nothing observed`);
    return observation;
  }

  /** The live Task and what it owns: by rendering the template, or by the task-id label. */
  private async locate(): Promise<{ target: TaskTarget; object: KubeObject }> {
    const kubectl = this.options.kubectl;
    if (this.source.kind === 'template') {
      const rendered = await this.render();
      await kubectl.ensureVersion();
      const object = await getObject(kubectl, rendered.manifest.taskRef);
      if (object === undefined) throw this.error('TaskGone', `${describe(rendered.manifest.taskRef)} not found: launch it first`);
      return { target: scopeOfRendered(rendered, this.id), object };
    }
    await kubectl.ensureVersion();
    const locator: TaskLocator = { kind: 'task-id', taskId: this.id };
    const object = await findTask(kubectl, locator, this.source.namespace);
    if (object === undefined) {
      const namespace = await effectiveNamespace(kubectl, this.source.namespace);
      throw this.error('TaskGone', `task ${this.id}: no Task with ${describeLocator(locator)} in namespace ${namespace}`);
    }
    return { target: scopeOfTask(object, this.id), object };
  }

  /** What a kill covers when nothing was launched or attached here: the template's, or the id's. */
  private async resolveScope(): Promise<OwnerScope> {
    if (this.source.kind === 'template') return scopeOfRendered(await this.render(), this.id);
    const namespace = await effectiveNamespace(this.options.kubectl, this.source.namespace);
    return { taskId: this.id, label: sanitizeLabelValue(this.id), namespace, declared: [] };
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
        ref: stage.target.taskRef,
        args,
        kubectl: this.options.kubectl,
        tracker: this.tracker,
        timeoutMs: this.options.transitionTimeoutMs ?? 30_000,
        ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
        onPatched: (object) => this.onWatchEvent({ type: 'observed', object, via: 'poll' }),
      });
    } finally {
      this.transitionInFlight = undefined;
    }
  }

  /**
   * Marks the Task (ANNOTATION_KILLED_BY, so watchers elsewhere report TASK_KILLED), deletes it
   * and every object carrying its task-id label (never an object another task owns; see
   * ownership.ts for the kinds looked at) and waits until they are gone. A live task ends in TASK_KILLED, or TASK_FAILED with the reason. A task that
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
    await this.applying?.catch(() => {}); // an apply in flight settles first, then is undone
    const stage = this.currentStage;
    if (stage.kind === 'killed') return this.reporter.state ?? 'TASK_KILLED';
    let scope: OwnerScope;
    try {
      scope = scopeOfStage(stage) ?? (await this.resolveScope());
      await this.options.kubectl.ensureVersion();
    } catch (error) {
      return this.finalize({ state: 'TASK_FAILED', reason: reasonOf(error), message: messageOf(error) });
    }
    const ended = this.reporter.ended ? stage : undefined;
    this.currentStage = { kind: 'killing', scope };
    await this.stopMonitor();
    this.tracker.abortAll(this.error('Terminated', `task ${this.id} was killed`));
    try {
      const deleted = await deleteOwned(this.options.kubectl, scope, { timeoutMs: this.options.killTimeoutMs ?? 60_000, killedBy: killerIdentity() });
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
      return this.finalize({ state: 'TASK_FAILED', reason: reasonOf(error), message: `kill failed: ${messageOf(error)}`, scope });
    }
  }

  /** Stops following the Task without touching it (executor shutdown). */
  async detach(): Promise<void> {
    await this.stopMonitor();
  }

  private startMonitor(ref: ObjectRef): void {
    const factory = this.options.monitor ?? defaultMonitor;
    this.monitor = factory({ kubectl: this.options.kubectl, ref, onEvent: (event) => this.onWatchEvent(event) });
  }

  private async stopMonitor(): Promise<void> {
    this.clearUnreachable();
    const monitor = this.monitor;
    this.monitor = undefined;
    await monitor?.stop();
  }

  private onWatchEvent(event: WatchEvent): void {
    const stage = this.currentStage;
    if (stage.kind !== 'launched' && stage.kind !== 'running') return;
    const { target } = stage;
    if (event.type !== 'error') this.clearUnreachable();
    switch (event.type) {
      case 'observed': {
        // A kill mark is never taken back: keep it even if an older copy of the object arrives late.
        const mark = event.object.metadata.annotations?.[ANNOTATION_KILLED_BY];
        if (mark !== undefined) this.killedBy = mark;
        const { previous, current } = this.tracker.observe(event.object);
        // The same report as the fleet's (reportOf); the reporter drops one that changes nothing.
        const report = reportOf(current);
        if (report === undefined) return;
        if (report.state === 'TASK_RUNNING') {
          this.currentStage = { kind: 'running', target };
          this.reporter.report({ ...report, previousTaskState: previous?.state });
        } else {
          this.finalize({ ...report, scope: target, previousTaskState: previous?.state });
        }
        return;
      }
      case 'deleted':
        this.tracker.markDeleted();
        // Marked by a kubectl-task kill (maybe another process's): killed, not lost.
        if (this.killedBy !== undefined) {
          this.finalize({ state: 'TASK_KILLED', reason: 'Killed', message: `${describe(target.taskRef)} was killed by ${this.killedBy}`, scope: target });
        } else {
          this.finalize({ state: 'TASK_LOST', reason: 'Deleted', message: `${describe(target.taskRef)} was deleted outside kubectl-task`, scope: target });
        }
        return;
      case 'error':
        debug('%s: monitor error %d: %s', this.id, event.consecutive, event.error.message);
        if (TRANSIENT_REASONS.has(event.error.reason)) this.startUnreachable(event.error.message);
        return;
      case 'gave-up':
        this.finalize({ state: 'TASK_FAILED', reason: event.error.reason, message: `monitoring gave up: ${event.error.message}`, scope: target });
        return;
    }
  }

  /**
   * The monitor failed transiently: past the grace period (unless something was observed
   * meanwhile) the task is TASK_UNREACHABLE; the next observation reports its state again.
   */
  private startUnreachable(why: string): void {
    if (this.unreachableTimer !== undefined) return;
    const graceMs = this.options.unreachableGraceMs ?? DEFAULT_UNREACHABLE_GRACE_MS;
    this.unreachableTimer = (this.options.clock ?? systemClock).setTimer(() => {
      this.unreachableTimer = undefined;
      const stage = this.currentStage.kind;
      if (stage !== 'launched' && stage !== 'running') return;
      this.reporter.report({ state: 'TASK_UNREACHABLE', reason: 'Unreachable', message: `the API server could not be reached for ${graceMs} ms: ${why}` });
    }, graceMs);
  }

  private clearUnreachable(): void {
    this.unreachableTimer?.();
    this.unreachableTimer = undefined;
  }

  private finalize(end: Report & { scope?: OwnerScope }): ExecutorState {
    const { state, reason, scope } = end;
    const message = end.message === undefined ? undefined : redactValues(end.message, this.reporter.secrets);
    if (this.reporter.ended) return this.reporter.state ?? state;
    this.currentStage =
      state === 'TASK_KILLED'
        ? { kind: 'killed' }
        : state === 'TASK_FINISHED' && scope !== undefined
          ? { kind: 'finished', scope }
          : { kind: 'failed', reason, message: message ?? reason, ...(scope === undefined ? {} : { scope }) };
    this.reporter.report(end);
    this.tracker.abortAll(this.error('Terminated', `task ${this.id} ended: ${state}${message ? ` (${message})` : ''}`));
    void this.stopMonitor();
    return state;
  }

  private error(reason: TaskError['reason'], message: string): TaskError {
    return new TaskError({ reason, taskId: this.id, message });
  }
}

/** What the stage already knows the task owns; undefined when it must be found first. */
function scopeOfStage(stage: Stage): OwnerScope | undefined {
  switch (stage.kind) {
    case 'launched':
    case 'running':
      return stage.target;
    case 'killing':
    case 'failed':
    case 'finished':
      return stage.scope;
    case 'pending':
    case 'applying':
    case 'killed':
      return undefined;
  }
}
