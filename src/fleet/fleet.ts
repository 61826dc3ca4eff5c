/**
 * TaskFleet: many tasks of one kubectl connection, the engine behind `kubectl-task serve`.
 *
 *   requests ─► batchers (launch · transition · kill) ─► one kubectl call per batch ─► per-object results
 *   tasks ◄── informer (ONE `kubectl get tasks -l … --watch` per namespace, or -A) ◄── cache by namespace/name
 *     └──► status stream: each change once, with a per-task seq, never an older state over a newer one
 *
 * It never re-applies or deletes a task by itself: on start it lists the Tasks in scope (its
 * executor id's, or every managed one) and reattaches to them. While the API server cannot be
 * reached, tasks keep their last state; past the grace period they become TASK_UNREACHABLE, and
 * TASK_RUNNING (or whatever the Task reached meanwhile) once the informer has relisted.
 */
import createDebug from 'debug';
import { systemClock, type Clock } from '../clock.ts';
import { messageOf, reasonOf, type TaskReason } from '../errors.ts';
import { contextNamespace } from '../kubectl/config.ts';
import { TASK_API_VERSION } from '../manifest/index.ts';
import { TaskError, scrubError } from '../task/errors.ts';
import type { ExecutorState } from '../task/states.ts';
import { firstStatusVerdict } from '../task/transition-runner.ts';
import { Informer } from '../watch/informer.ts';
import { Batcher } from './batcher.ts';
import { killBatch, transitionBatch, type KillItem, type TransitionItem } from './change-batch.ts';
import { FleetTask } from './fleet-task.ts';
import { TaskFollower } from './follow.ts';
import { launchBatch, type PreparedLaunch } from './launch-batch.ts';
import { TaskRegistry } from './registry.ts';
import { transitionTask } from './transition.ts';
import { LABEL_EXECUTOR_ID, fleetSelector, renderForFleet } from './render-launch.ts';
import type {
  BatchOptions,
  Engine,
  FleetLaunchRequest,
  FleetOptions,
  FleetStatusUpdate,
  FleetTaskSnapshot,
  FleetTransitionRequest,
  FleetTransitionResult,
} from './types.ts';

export { LABEL_EXECUTOR_ID };
export type { FleetOptions } from './types.ts';

const debug = createDebug('kubectl-task:fleet');

/**
 * Flushed on the next turn of the event loop (what arrived together goes together; what arrives
 * while a batch runs joins the next one), one batch in flight per kind: see Batcher.
 */
const DEFAULT_BATCH: BatchOptions = { maxSize: 500, delayMs: 0, maxInFlight: 1 };
const TASK_RESOURCE = 'tasks.v1alpha1.aliecs.alice.cern';

export function createFleet(options: FleetOptions): TaskFleet {
  return new TaskFleet(options);
}

export class TaskFleet implements Engine {
  private readonly tasks: TaskRegistry;
  private readonly listeners = new Set<(update: FleetStatusUpdate) => void>();
  private readonly launches: Batcher<PreparedLaunch, void>;
  private readonly transitions: Batcher<TransitionItem, void>;
  private readonly kills: Batcher<KillItem, void>;
  private readonly clock: Clock;
  private informer: Informer | undefined;
  private namespace: string | undefined;
  private follower: TaskFollower | undefined;
  private readonly batch: BatchOptions;
  private closed = false;
  private readonly pendingLaunches = new Map<string, Promise<unknown>>();

  constructor(private readonly options: FleetOptions) {
    this.selector = fleetSelector(options.executorId);
    const batch = { ...DEFAULT_BATCH, ...options.batch };
    this.batch = batch;
    this.clock = options.clock ?? systemClock;
    this.tasks = new TaskRegistry((taskId, ref) => new FleetTask(taskId, ref, (update) => this.push(update), this.clock));
    const k = options.kubectl;
    this.launches = new Batcher({ ...batch, run: (items) => launchBatch(k, items, this.namespaceArg()) });
    this.transitions = new Batcher({ ...batch, run: (items) => transitionBatch(k, items) });
    this.kills = new Batcher({ ...batch, run: (items) => killBatch(k, items) });
  }

  /** The label selector of this fleet's Tasks (its executor id's, when it has one). */
  readonly selector: string;

  /** The informer's stream restarts so far (tests and the benchmark read it). */
  get informerRestarts(): number {
    return this.informer?.restarts ?? 0;
  }

  async start(): Promise<{ readonly reattached: readonly string[] }> {
    if (this.informer !== undefined) throw new Error('TaskFleet.start() was already called');
    const k = this.options.kubectl;
    await k.ensureVersion();
    if (this.options.allNamespaces !== true) {
      this.namespace = this.options.namespace ?? k.connection.namespace ?? (await contextNamespace(k)) ?? 'default';
    }
    this.informer = new Informer({
      kubectl: k,
      resource: TASK_RESOURCE,
      apiPath: { groupVersion: `/apis/${TASK_API_VERSION}`, plural: 'tasks' },
      namespace: this.options.allNamespaces === true ? null : (this.namespace ?? 'default'),
      labelSelector: this.selector,
      ...(this.options.informerBackoff === undefined ? {} : { backoff: this.options.informerBackoff }),
    });
    const { informer, tasks, selector, batch, clock } = this;
    const unreachableGraceMs = this.options.unreachableGraceMs ?? 60_000;
    const follower = new TaskFollower({ kubectl: k, informer, tasks, selector, batch, unreachableGraceMs, clock });
    this.follower = follower;
    informer.on((event) => follower.handle(event));
    await this.informer.start();
    const reattached = this.tasks.reattach(informer.list());
    debug('started on %s (%s); reattached %d', this.namespace ?? 'all namespaces', this.selector, reattached.length);
    return { reattached };
  }

  onStatus(listener: (update: FleetStatusUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(taskId?: string): readonly FleetTaskSnapshot[] {
    if (taskId === undefined) return this.tasks.all().map((t) => t.snapshot());
    return [this.get(taskId).snapshot()];
  }

  async launch(request: FleetLaunchRequest): Promise<FleetTaskSnapshot> {
    this.assertOpen(request.taskId);
    if (this.tasks.has(request.taskId)) {
      throw this.error('AlreadyLaunched', request.taskId, `task ${request.taskId} is already launched here: follow it with status, or kill it first`);
    }
    const prepared = await this.prepare(request);
    const task = prepared.task;
    const launching = this.launches.add(prepared);
    this.pendingLaunches.set(
      task.taskId,
      launching.catch(() => {}),
    );
    try {
      await launching;
    } catch (raw) {
      const error = scrubError(raw, task.secrets);
      const reason = reasonOf(error);
      // A task that exists (here or elsewhere) is refused without a status: nothing was launched.
      if (reason !== 'AlreadyLaunched' && reason !== 'OwnedElsewhere') task.report('TASK_FAILED', reason, { message: messageOf(error) });
      // Nothing half-applied stays out of reach: a task whose apply failed stays known, ended, for kill.
      if (!task.mayHaveObjects) this.tasks.remove(task);
      throw error;
    } finally {
      this.pendingLaunches.delete(task.taskId);
    }
    task.phase = 'live';
    task.report('TASK_STARTING', 'Applied', { message: `applied ${(task.refs ?? []).length} object(s)` });
    const cached = this.informer?.get(task.key);
    if (cached !== undefined) task.observe(cached);
    task.reportCurrent(); // the watch may have delivered the Task while it was still being applied
    const timeoutMs = this.options.launchTimeoutMs ?? 60_000;
    await task.tracker.waitFor({
      decide: firstStatusVerdict(() => this.error('TaskGone', task.taskId, `task ${task.taskId}: its Task was deleted before reporting a status`)),
      timeoutMs,
      clock: this.clock,
      onTimeout: () => {
        const message = `task ${task.taskId}: applied, but no status.state within ${timeoutMs} ms (is a task manager running?); kill it with a kill request`;
        return this.error('NoStatus', task.taskId, message);
      },
    });
    return task.snapshot();
  }

  private async prepare(request: FleetLaunchRequest): Promise<PreparedLaunch> {
    // Nothing is reserved before rendering succeeds: a render failure is the request's error alone.
    const rendered = await renderForFleet(request, {
      ...(this.namespace === undefined ? {} : { namespace: this.namespace }),
      ...(this.options.executorId === undefined ? {} : { executorId: this.options.executorId }),
    });
    if (this.tasks.has(request.taskId)) throw this.error('AlreadyLaunched', request.taskId, `task ${request.taskId} is already launched here`);
    const key = `${rendered.manifest.taskRef.namespace ?? ''}/${rendered.manifest.taskRef.name}`;
    const other = this.tasks.byKey(key)?.taskId;
    if (other !== undefined) {
      throw this.error('OwnedElsewhere', request.taskId, `task ${request.taskId}: Task ${key} is already task ${other}'s`);
    }
    const task = this.tasks.add(request.taskId, rendered.manifest.taskRef);
    task.refs = rendered.manifest.refs;
    task.secrets = rendered.secrets;
    return { task, rendered };
  }

  async transition(request: FleetTransitionRequest): Promise<FleetTransitionResult> {
    this.assertOpen(request.taskId);
    return transitionTask(this.get(request.taskId), request, {
      kubectl: this.options.kubectl,
      clock: this.clock,
      send: (item) => this.transitions.add(item),
      timeoutMs: request.timeoutMs ?? this.options.transitionTimeoutMs ?? 30_000,
    });
  }

  async kill(taskId: string): Promise<ExecutorState> {
    this.assertOpen(taskId);
    await this.pendingLaunches.get(taskId);
    const task = this.get(taskId);
    // A kill asked again while one runs shares its outcome: run twice, the second would abort the
    // first one's wait for the DELETED event (Terminated) and send a second delete.
    task.killing ??= this.killOnce(task).finally(() => {
      task.killing = undefined;
    });
    return task.killing;
  }

  private async killOnce(task: FleetTask): Promise<ExecutorState> {
    const { taskId } = task;
    const endedAs = task.ended ? task.state : undefined;
    task.phase = 'killing';
    task.tracker.abortAll(this.error('Terminated', taskId, `task ${taskId} was killed`));
    const timeoutMs = this.options.killTimeoutMs ?? 60_000;
    const gone = task.tracker.waitFor({
      decide: (o) => (o === 'deleted' ? { settle: 'resolve', value: undefined as never } : undefined),
      timeoutMs,
      clock: this.clock,
      onTimeout: () => this.error('Terminated', taskId, `task ${taskId}: its Task was still there ${timeoutMs} ms after the delete`),
    });
    gone.catch(() => {});
    try {
      await this.kills.add({ ref: task.ref, taskId, ...(task.refs === undefined ? {} : { refs: task.refs }) });
      if (this.informer?.get(task.key) === undefined) task.tracker.markDeleted();
      await gone;
    } catch (error) {
      if (endedAs === undefined) task.report('TASK_FAILED', reasonOf(error), { message: `kill failed: ${messageOf(error)}` });
      // Still known, ended: a kill again (the server back, say) deletes what is left. Forgotten,
      // its objects would stay behind for good: a kill would only get UnknownTask.
      task.phase = 'ended';
      throw error;
    }
    this.tasks.remove(task);
    if (endedAs !== undefined) return endedAs;
    task.report('TASK_KILLED', 'Killed');
    return 'TASK_KILLED';
  }

  async close(options: { readonly deadlineMs?: number } = {}): Promise<void> {
    this.closed = true;
    let cancelDeadline = (): void => {};
    const deadline = new Promise<void>((resolve) => (cancelDeadline = this.clock.setTimer(resolve, options.deadlineMs ?? 10_000)));
    try {
      await Promise.race([Promise.all([this.launches.drain(), this.transitions.drain(), this.kills.drain()]), deadline]);
    } finally {
      cancelDeadline();
    }
    await this.informer?.stop();
    await this.follower?.close();
  }

  private push(update: FleetStatusUpdate): void {
    for (const listener of [...this.listeners]) listener(update);
  }

  private get(taskId: string): FleetTask {
    const task = this.tasks.get(taskId);
    if (task === undefined) {
      throw this.error('UnknownTask', taskId, `task ${taskId} is not known to this executor (launch it, or check --executor-id and the namespace)`);
    }
    return task;
  }

  private assertOpen(taskId: string): void {
    if (this.closed) throw this.error('ShuttingDown', taskId, `task ${taskId}: the fleet is shutting down`);
  }

  private namespaceArg(): string | null {
    return this.options.allNamespaces === true ? null : (this.namespace ?? null);
  }

  private error(reason: TaskReason, taskId: string, message: string): TaskError {
    return new TaskError({ reason, taskId, message });
  }
}
