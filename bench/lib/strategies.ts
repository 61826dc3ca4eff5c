/**
 * The three ways of running N tasks that the benchmark compares, behind one shape:
 * - poll: the original executor's way. Per task: `kubectl apply -f -`, transitions by
 *   `kubectl patch`, and a loop of `kubectl get <task> -o jsonpath={.status.state}` every
 *   interval (5 s), which is also how a transition learns it arrived; kill by `kubectl delete -f -`.
 * - watch: KubectlTask with its default monitor (one `kubectl get --watch` per task).
 * - fleet: TaskFleet (one shared informer, batched kubectl calls).
 */
import { KubectlError } from '../../src/kubectl/errors.ts';
import type { Kubectl } from '../../src/kubectl/runner.ts';
import { TaskFleet } from '../../src/fleet/fleet.ts';
import { KubectlTask } from '../../src/task/kubectl-task.ts';
import { renderTask, type RenderedTask } from '../../src/task/render-task.ts';
import { executorStateFor, isTerminal, parseTaskState, type ExecutorState } from '../../src/task/states.ts';
import { parseTransitionEvent, ruleFor } from '../../src/task/transitions.ts';
import type { StrategyName, TransitionEventName } from './protocol.ts';

export type StatusSink = (update: { readonly taskId: string; readonly state: string; readonly taskState?: string }) => void;

export interface Strategy {
  start(): Promise<void>;
  /** Resolves once the task reported its first status (TASK_RUNNING). */
  launch(id: string): Promise<void>;
  /** Resolves once status.state reached the transition's target. */
  transition(id: string, event: TransitionEventName): Promise<void>;
  /** Resolves with the task's terminal state once its objects are gone. */
  kill(id: string): Promise<string>;
  close(): Promise<void>;
  readonly informerRestarts?: number;
}

export interface StrategyOptions {
  readonly kubectl: Kubectl;
  readonly namespace: string;
  readonly templateText: string;
  readonly pollIntervalMs: number;
  readonly executorId: string;
  readonly transitionTimeoutMs: number;
  readonly onStatus: StatusSink;
}

/** What every CONFIGURE carries (the scheduler's arguments). */
export const CONFIGURE_ARGUMENTS: Readonly<Record<string, string>> = { environment_id: 'bench', run_number: '1' };

export function createStrategy(name: StrategyName, options: StrategyOptions): Strategy {
  switch (name) {
    case 'poll':
      return new PollStrategy(options);
    case 'watch':
      return new WatchStrategy(options);
    case 'fleet':
      return new FleetStrategy(options);
  }
}

class FleetStrategy implements Strategy {
  private readonly fleet: TaskFleet;

  constructor(private readonly options: StrategyOptions) {
    this.fleet = new TaskFleet({
      kubectl: options.kubectl,
      namespace: options.namespace,
      executorId: options.executorId,
      transitionTimeoutMs: options.transitionTimeoutMs,
    });
    this.fleet.onStatus((u) => options.onStatus({ taskId: u.taskId, state: u.state, ...(u.taskState === undefined ? {} : { taskState: u.taskState }) }));
  }

  get informerRestarts(): number {
    return this.fleet.informerRestarts;
  }

  async start(): Promise<void> {
    await this.fleet.start();
  }

  async launch(id: string): Promise<void> {
    await this.fleet.launch({ taskId: id, template: { text: this.options.templateText }, env: { TASK_NAME: id } });
  }

  async transition(id: string, event: TransitionEventName): Promise<void> {
    await this.fleet.transition({ taskId: id, event, ...(event === 'CONFIGURE' ? { arguments: CONFIGURE_ARGUMENTS } : {}) });
  }

  kill(id: string): Promise<string> {
    return this.fleet.kill(id);
  }

  close(): Promise<void> {
    return this.fleet.close();
  }
}

class WatchStrategy implements Strategy {
  private readonly tasks = new Map<string, KubectlTask>();

  constructor(private readonly options: StrategyOptions) {}

  async start(): Promise<void> {
    await this.options.kubectl.ensureVersion();
  }

  private get(id: string): KubectlTask {
    const task = this.tasks.get(id);
    if (task === undefined) throw new Error(`watch: no task ${id}`);
    return task;
  }

  async launch(id: string): Promise<void> {
    const task = new KubectlTask({
      id,
      kubectl: this.options.kubectl,
      template: { text: this.options.templateText },
      env: { TASK_NAME: id },
      transitionTimeoutMs: this.options.transitionTimeoutMs,
      onStatus: (u) => this.options.onStatus({ taskId: u.taskId, state: u.state, ...(u.taskState === undefined ? {} : { taskState: u.taskState }) }),
    });
    this.tasks.set(id, task);
    await task.launch();
  }

  async transition(id: string, event: TransitionEventName): Promise<void> {
    await this.get(id).transition(event, event === 'CONFIGURE' ? CONFIGURE_ARGUMENTS : {});
  }

  async kill(id: string): Promise<string> {
    const state = await this.get(id).kill();
    this.tasks.delete(id);
    return state;
  }

  async close(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((t) => t.detach()));
  }
}

const TASK_RESOURCE = 'tasks.v1alpha1.aliecs.alice.cern';

interface PolledTask {
  readonly id: string;
  readonly rendered: RenderedTask;
  /** The last `status.state` text the poll printed. */
  last: string | undefined;
  reported: ExecutorState | undefined;
  stopped: boolean;
  wake: (() => void) | undefined;
  readonly waiters: Set<(value: string | 'gone') => void>;
  loop: Promise<void> | undefined;
}

/** The original executor: one process per call, and a jsonpath poll per task every interval. */
class PollStrategy implements Strategy {
  private readonly tasks = new Map<string, PolledTask>();

  constructor(private readonly options: StrategyOptions) {}

  async start(): Promise<void> {
    await this.options.kubectl.ensureVersion();
  }

  private get(id: string): PolledTask {
    const task = this.tasks.get(id);
    if (task === undefined) throw new Error(`poll: no task ${id}`);
    return task;
  }

  private report(task: PolledTask, state: ExecutorState, taskState?: string): void {
    if (isTerminal(task.reported)) return;
    task.reported = state;
    this.options.onStatus({ taskId: task.id, state, ...(taskState === undefined ? {} : { taskState }) });
  }

  private async pollLoop(task: PolledTask): Promise<void> {
    const k = this.options.kubectl;
    while (!task.stopped) {
      let value: string | 'gone' | undefined;
      try {
        const result = await k.run(['get', TASK_RESOURCE, task.id, '-o', 'jsonpath={.status.state}'], { retry: false });
        value = result.stdout.trim();
      } catch (error) {
        if (error instanceof KubectlError && error.reason === 'NotFound') value = 'gone';
        // any other failure: the original counted it and polled again
      }
      if (task.stopped) return;
      if (value === 'gone') {
        for (const waiter of [...task.waiters]) waiter('gone');
        this.report(task, 'TASK_LOST');
        return;
      }
      if (value !== undefined && value !== '' && value !== task.last) {
        task.last = value;
        const parsed = parseTaskState(value);
        const taskState = typeof parsed === 'string' ? parsed : undefined;
        const state = executorStateFor(taskState);
        if (state !== undefined) this.report(task, state, taskState);
        for (const waiter of [...task.waiters]) waiter(value);
        if (isTerminal(state)) return;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollIntervalMs);
        task.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      task.wake = undefined;
    }
  }

  /** Resolves with the first polled value that `decide` accepts; rejects on its error or the timeout. */
  private waitFor(task: PolledTask, decide: (value: string | 'gone') => 'yes' | 'no' | Error, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        task.waiters.delete(waiter);
        reject(new Error(`poll: task ${task.id}: no expected status.state within ${timeoutMs} ms (last ${task.last ?? 'none'})`));
      }, timeoutMs);
      const waiter = (value: string | 'gone'): void => {
        const verdict = decide(value);
        if (verdict === 'no') return;
        clearTimeout(timer);
        task.waiters.delete(waiter);
        if (verdict === 'yes') resolve();
        else reject(verdict);
      };
      task.waiters.add(waiter);
    });
  }

  async launch(id: string): Promise<void> {
    const rendered = await renderTask({
      taskId: id,
      template: { text: this.options.templateText },
      env: { TASK_NAME: id },
      baseEnv: {},
      namespace: { explicit: this.options.namespace },
    });
    const task: PolledTask = { id, rendered, last: undefined, reported: undefined, stopped: false, wake: undefined, waiters: new Set(), loop: undefined };
    this.tasks.set(id, task);
    await this.options.kubectl.run(['apply', '-f', '-'], { stdin: rendered.yaml });
    this.report(task, 'TASK_STARTING');
    const first = this.waitFor(task, (v) => (v === 'gone' ? new Error(`poll: task ${id} vanished`) : 'yes'), 60_000);
    task.loop = this.pollLoop(task);
    await first;
  }

  async transition(id: string, event: TransitionEventName): Promise<void> {
    const task = this.get(id);
    const parsed = parseTransitionEvent(event);
    const rule = parsed === undefined ? undefined : ruleFor(parsed);
    if (rule === undefined) throw new Error(`poll: unsupported transition ${event}`);
    if (task.last !== rule.from) throw new Error(`poll: task ${id}: cannot ${event} from ${task.last ?? 'no status'}`);
    const spec: Record<string, unknown> = { state: rule.to, ...(rule.carries === 'arguments' ? { arguments: CONFIGURE_ARGUMENTS } : {}) };
    const arrived = this.waitFor(
      task,
      (v) => (v === rule.to ? 'yes' : v === 'error' || v === 'gone' ? new Error(`poll: task ${id}: ${event} ended in ${v}`) : 'no'),
      this.options.transitionTimeoutMs,
    );
    arrived.catch(() => {});
    await this.options.kubectl.run(['patch', TASK_RESOURCE, id, '--type=merge', '-p', JSON.stringify({ spec })]);
    await arrived;
  }

  async kill(id: string): Promise<string> {
    const task = this.get(id);
    task.stopped = true;
    task.wake?.();
    await task.loop;
    await this.options.kubectl.run(['delete', '-f', '-', '--ignore-not-found'], { stdin: task.rendered.yaml });
    this.report(task, 'TASK_KILLED');
    this.tasks.delete(id);
    return task.reported ?? 'TASK_KILLED';
  }

  async close(): Promise<void> {
    for (const task of this.tasks.values()) {
      task.stopped = true;
      task.wake?.();
    }
    await Promise.all([...this.tasks.values()].map((t) => t.loop));
  }
}
