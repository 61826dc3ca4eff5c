/**
 * A scriptable Engine for the bridge's tests: every call is recorded, and each operation's
 * outcome is a function the test sets (a deferred when it wants to hold a request in flight).
 */
import type { Engine, FleetLaunchRequest, FleetStatusUpdate, FleetTaskSnapshot, FleetTransitionRequest, FleetTransitionResult } from '../../src/fleet/types.ts';
import type { ExecutorState } from '../../src/task/states.ts';
import { ReasonedError, type Reason } from '../../src/errors.ts';

/** An engine failure with a reason of the family, as TaskFleet's errors carry one. */
export class EngineError extends ReasonedError {
  constructor(reason: Reason, message: string) {
    super(reason, message);
  }
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function snapshot(taskId: string, overrides: Partial<FleetTaskSnapshot> = {}): FleetTaskSnapshot {
  return {
    taskId,
    namespace: 'demo',
    name: taskId,
    state: 'TASK_RUNNING',
    taskState: 'standby',
    desired: 'standby',
    seq: 3,
    resourceVersion: '42',
    ...overrides,
  };
}

export class FakeEngine implements Engine {
  readonly calls: { readonly op: string; readonly arg?: unknown }[] = [];
  readonly listeners = new Set<(update: FleetStatusUpdate) => void>();
  reattached: readonly string[] = [];
  onStart: () => Promise<void> = async () => undefined;
  onLaunch: (request: FleetLaunchRequest) => Promise<FleetTaskSnapshot> = async (request) => snapshot(request.taskId);
  onTransition: (request: FleetTransitionRequest) => Promise<FleetTransitionResult> = async (request) => ({
    taskId: request.taskId,
    taskState: 'configured',
    resourceVersion: '43',
  });
  onKill: (taskId: string) => Promise<ExecutorState> = async () => 'TASK_KILLED';
  onStatusRequest: (taskId?: string) => readonly FleetTaskSnapshot[] = (taskId) => {
    if (taskId === undefined) return [snapshot('t1'), snapshot('t2')];
    if (taskId.startsWith('unknown')) throw new EngineError('UnknownTask', `task ${taskId} is not known to this executor`);
    return [snapshot(taskId)];
  };
  onClose: (options?: { readonly deadlineMs?: number }) => Promise<void> = async () => undefined;

  async start(): Promise<{ readonly reattached: readonly string[] }> {
    this.calls.push({ op: 'start' });
    await this.onStart();
    return { reattached: this.reattached };
  }

  launch(request: FleetLaunchRequest): Promise<FleetTaskSnapshot> {
    this.calls.push({ op: 'launch', arg: request });
    return this.onLaunch(request);
  }

  transition(request: FleetTransitionRequest): Promise<FleetTransitionResult> {
    this.calls.push({ op: 'transition', arg: request });
    return this.onTransition(request);
  }

  kill(taskId: string): Promise<ExecutorState> {
    this.calls.push({ op: 'kill', arg: taskId });
    return this.onKill(taskId);
  }

  status(taskId?: string): readonly FleetTaskSnapshot[] {
    this.calls.push({ op: 'status', arg: taskId });
    return this.onStatusRequest(taskId);
  }

  onStatus(listener: (update: FleetStatusUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(options?: { readonly deadlineMs?: number }): Promise<void> {
    this.calls.push({ op: 'close', arg: options });
    return this.onClose(options);
  }

  emit(update: Partial<FleetStatusUpdate> & { readonly taskId: string }): void {
    const full: FleetStatusUpdate = { seq: 1, state: 'TASK_RUNNING', taskState: 'standby', reason: 'Observed', time: '2026-01-01T00:00:00.000Z', ...update };
    for (const listener of this.listeners) listener(full);
  }

  ops(): string[] {
    return this.calls.map((call) => call.op);
  }
}
