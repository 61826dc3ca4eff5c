/**
 * One task of a scheduler, run as an aliecs.alice.cern Task through kubectl. What acts on the
 * Task is here (launch, attach, transition, kill); following it and reporting its status is
 * FollowedTask's (followed-task.ts), where every way out goes through finalize() so a terminal
 * status is reported exactly once. kill() deletes the task's own objects whatever stage it finds,
 * also after the task failed or finished.
 *
 * A task is made from its template (it can be launched), or by id (KubectlTask.byId: a task
 * launched elsewhere, found by its task-id label, that can be attached, moved and killed).
 */
import createDebug from 'debug';
import { messageOf, reasonOf } from '../errors.ts';
import { apply, resourceArg } from '../kubectl/commands.ts';
import { TaskError, describeRef, scrubError } from './errors.ts';
import { FollowedTask } from './followed-task.ts';
import { assertLaunchable, deleteOwned, killerIdentity, scopeOfRendered, type OwnerScope } from './ownership.ts';
import type { RenderedTask } from './render-task.ts';
import { TaskSource } from './source.ts';
import { scopeOfStage } from './stage.ts';
import type { ExecutorState } from './states.ts';
import type { Observation } from './status-tracker.ts';
import type { KubectlTaskByIdOptions, KubectlTaskOptions, LaunchOptions } from './task-options.ts';
import { runTransition, supportedTransition } from './transition-runner.ts';
import type { TransitionEvent } from './transitions.ts';

const debug = createDebug('kubectl-task:task');

export type { StatusUpdate } from './status-reporter.ts';
export type { Stage } from './stage.ts';
export type { KubectlTaskByIdOptions, KubectlTaskOptions, LaunchOptions } from './task-options.ts';

export class KubectlTask extends FollowedTask {
  private readonly source: TaskSource;
  /** The apply of launch() (not its wait for a status): what a kill waits for before undoing it. */
  private applying: Promise<void> | undefined;
  private killInFlight: Promise<ExecutorState> | undefined;
  /** One transition at a time: a second would race the first for spec.state. */
  private transitionInFlight: TransitionEvent | undefined;

  constructor(options: KubectlTaskOptions | KubectlTaskByIdOptions) {
    super(options);
    this.source = options.template === undefined ? TaskSource.byId(options.id, options.kubectl, options.namespace) : TaskSource.template(options.id, options);
  }

  /** A task launched earlier (by this or another process), found by its task id; see KubectlTaskByIdOptions. */
  static byId(options: KubectlTaskByIdOptions): KubectlTask {
    return new KubectlTask(options);
  }

  /** Renders without changing the cluster (it may read the kubeconfig's namespace). */
  render(): Promise<RenderedTask> {
    return this.source.render();
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
    if (!this.source.hasTemplate) {
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
    const { timeoutMs, signal } = options;
    return applying.then(() => this.waitForStatus({ ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(signal === undefined ? {} : { signal }) }));
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
      if (this.source.dryRunFirst) await apply(kubectl, rendered.yaml, { dryRun: 'server' });
      await apply(kubectl, rendered.yaml);
    } catch (error) {
      if (error instanceof TaskError && error.reason === 'AlreadyLaunched') {
        // Nothing was done and the running task is not failed: report nothing terminal, and stay
        // pending so that this same object can attach() to it.
        this.currentStage = { kind: 'pending' };
        throw error;
      }
      const scrubbed = scrubError(error, rendered?.secrets ?? []);
      const scope = rendered === undefined ? {} : { scope: scopeOfRendered(rendered, this.id) };
      this.finalize({ state: 'TASK_FAILED', reason: reasonOf(scrubbed), message: messageOf(scrubbed), ...scope });
      throw scrubbed;
    }
    const target = scopeOfRendered(rendered, this.id);
    this.currentStage = { kind: 'launched', target };
    this.reporter.report({ state: 'TASK_STARTING', reason: 'Applied', message: `applied ${rendered.manifest.refs.map(resourceArg).join(', ')}` });
    this.startMonitor(target.taskRef);
  }

  /**
   * Follows a Task launched earlier (by this or another process): from the same template and
   * env, or by id. Resolves with what it observed first; reports TASK_RUNNING when that already
   * has a status.state.
   */
  async attach(): Promise<Observation> {
    if (this.currentStage.kind !== 'pending') throw this.error('AlreadyLaunched', `task ${this.id} is already attached`);
    const { target, object } = await this.source.locate();
    this.currentStage = { kind: 'launched', target };
    this.onWatchEvent({ type: 'observed', object, via: 'poll' });
    this.startMonitor(target.taskRef);
    const observation = this.tracker.last;
    if (observation === undefined) throw this.error('TaskGone', `${describeRef(target.taskRef)}: nothing observed`);
    return observation;
  }

  /** Moves the Task along its state machine; resolves once `status.state` reached the target. */
  async transition(eventName: TransitionEvent | string, args: Readonly<Record<string, string>> = {}): Promise<Observation> {
    const { event, rule } = supportedTransition(this.id, eventName);
    const stage = this.currentStage;
    if (stage.kind !== 'launched' && stage.kind !== 'running') {
      const why = stage.kind === 'pending' || stage.kind === 'applying' ? 'NotLaunched' : 'Terminated';
      throw this.error(why, `task ${this.id}: cannot ${event} in stage ${stage.kind}`);
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
      scope = scopeOfStage(stage) ?? (await this.source.scope());
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
}
