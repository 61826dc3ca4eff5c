/**
 * One fleet task's transition: checked against its last observation, sent through the batched
 * patch, settled from the informer's cache with the core's destination-state semantics (fail fast
 * on `error`, a timeout naming the last state seen).
 */
import type { Clock } from '../clock.ts';
import type { TaskReason } from '../errors.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import { TaskError } from '../task/errors.ts';
import { patchAgainstFreshState, supportedTransition, transitionOps, waitForDestination } from '../task/transition-runner.ts';
import type { TransitionItem } from './change-batch.ts';
import type { FleetTask } from './fleet-task.ts';
import type { FleetTransitionRequest, FleetTransitionResult } from './types.ts';

export interface TransitionDeps {
  readonly kubectl: Kubectl;
  readonly clock: Clock;
  /** Adds the patch to the fleet's transition batch. */
  readonly send: (item: TransitionItem) => Promise<void>;
  readonly timeoutMs: number;
}

export async function transitionTask(task: FleetTask, request: FleetTransitionRequest, deps: TransitionDeps): Promise<FleetTransitionResult> {
  const fail = (reason: TaskReason, message: string): TaskError => new TaskError({ reason, taskId: task.taskId, message: `task ${task.taskId}: ${message}` });
  const { event, rule } = supportedTransition(task.taskId, request.event);
  if (task.phase !== 'live') throw fail(task.phase === 'launching' ? 'NotLaunched' : 'Terminated', `cannot ${event} while ${task.phase}`);
  if (task.transitionInFlight !== undefined) throw fail('WrongState', `cannot ${event} while ${task.transitionInFlight} is in progress`);
  const { timeoutMs, clock } = deps;
  task.transitionInFlight = event;
  try {
    const current = task.tracker.last;
    if (current?.state !== rule.from) {
      throw fail('WrongState', `cannot ${event} from "${current?.state ?? current?.unknownState ?? 'no status'}"; ${event} needs "${rule.from}"`);
    }
    const { tracker, ref } = task;
    const waiting = waitForDestination({ tracker, event, rule, ref, fail, timeoutMs, clock });
    const body = JSON.stringify(transitionOps(rule, request.arguments ?? {}));
    // The batched patch; after a 409 the Task read again with a GET, not from the cache.
    const patching = patchAgainstFreshState({
      taskId: task.taskId,
      event,
      rule,
      ref,
      kubectl: deps.kubectl,
      tracker,
      fail,
      what: 'its Task',
      send: () => deps.send({ ref, body }),
      onFresh: (fresh) => task.observe(fresh),
    });
    patching.catch(() => {});
    // Settled by whichever tells first: the informer showing the destination (kubectl's exit
    // after the patch adds nothing to that: waiting for it cost a third of the round trip), or
    // the patch failing. A patch still running when the destination shows has landed.
    const reached = await Promise.race([waiting, patching.then(() => waiting)]);
    const resourceVersion = reached.object.metadata['resourceVersion'];
    return { taskId: task.taskId, taskState: rule.to, ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}) };
  } finally {
    task.transitionInFlight = undefined;
  }
}
