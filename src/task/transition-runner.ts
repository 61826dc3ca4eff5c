/**
 * One transition of a Task: check the state it starts from, patch spec.state (and
 * spec.arguments for CONFIGURE) on the Task object only, then wait until status.state reaches
 * the target. Unlike the original, which took any status change for success (defect 5), an
 * `error` or `done` fails at once with status.error, and a timeout names the last state seen.
 */
import createDebug from 'debug';
import type { Clock } from '../clock.ts';
import { getObject, patchJson, type JsonPatchOp } from '../kubectl/commands.ts';
import { KubectlError } from '../kubectl/errors.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { KubeObject, ObjectRef } from '../kubectl/types.ts';
import type { TaskReason } from '../errors.ts';
import { TaskError, describeRef } from './errors.ts';
import { desiredState, toObservation, type Observation, type StatusTracker } from './status-tracker.ts';
import { parseTransitionEvent, ruleFor, type TransitionEvent, type TransitionRule } from './transitions.ts';

const debug = createDebug('kubectl-task:task');

export interface TransitionRun {
  readonly taskId: string;
  readonly event: TransitionEvent;
  readonly rule: TransitionRule;
  readonly ref: ObjectRef;
  readonly args: Readonly<Record<string, string>>;
  readonly kubectl: Kubectl;
  readonly tracker: StatusTracker;
  readonly timeoutMs: number;
  /** Arms the timeouts (default systemClock). */
  readonly clock?: Clock;
  /** The patched object, fed back as an observation. */
  readonly onPatched: (object: KubeObject) => void;
}

/** The event and its rule; UnsupportedTransition for a name that is not one (KubectlTask and the fleet alike). */
export function supportedTransition(taskId: string, eventName: string): { event: TransitionEvent; rule: TransitionRule } {
  const event = parseTransitionEvent(eventName);
  const rule = event === undefined ? undefined : ruleFor(event);
  if (event === undefined || rule === undefined) {
    const message = `task ${taskId}: transition ${eventName} is not supported by a Task (CONFIGURE, START, STOP, RESET)`;
    throw new TaskError({ reason: 'UnsupportedTransition', taskId, message });
  }
  return { event, rule };
}

export async function runTransition(run: TransitionRun): Promise<Observation> {
  const { taskId, event, rule, ref, timeoutMs, tracker } = run;
  const fail = (reason: TaskReason, message: string): TaskError => new TaskError({ reason, taskId, message: `task ${taskId}: ${message}` });
  const clock = run.clock === undefined ? {} : { clock: run.clock };
  // Right after launch the task manager may not have written a status yet: wait for one.
  const current = await tracker.waitFor({
    decide: firstStatusVerdict(() => fail('TaskGone', `${describeRef(ref)} was deleted`)),
    timeoutMs,
    onTimeout: () => fail('TransitionTimeout', `${describeRef(ref)} reported no status.state within ${timeoutMs} ms`),
    ...clock,
  });
  if (current.state !== rule.from) throw fail('WrongState', `cannot ${event} from "${current.state ?? current.unknownState}"; ${event} needs "${rule.from}"`);
  debug('%s: %s %s → %s', taskId, event, rule.from, rule.to);
  const waiting = waitForDestination({ tracker, event, rule, ref, fail, timeoutMs, ...clock });
  const ops = transitionOps(rule, run.args);
  const patched = await patchAgainstFreshState({
    ...run,
    fail,
    what: describeRef(ref),
    send: () => patchJson(run.kubectl, ref, ops),
    onFresh: run.onPatched,
  });
  run.onPatched(patched);
  return waiting;
}

/** The patch of a transition: spec.state to the target, and spec.arguments for CONFIGURE. */
export function transitionOps(rule: TransitionRule, args: Readonly<Record<string, string>>): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [{ op: 'add', path: '/spec/state', value: rule.to }];
  if (rule.carries === 'arguments') ops.push({ op: 'add', path: '/spec/arguments', value: { ...args } });
  return ops;
}

/** A waiter's verdict that settles on the first status.state (known or not), or `gone()` on deletion. */
export function firstStatusVerdict(gone: () => TaskError): (o: Observation | 'deleted') => Verdict {
  return (o) => {
    if (o === 'deleted') return { settle: 'reject', error: gone() };
    return o.state === undefined && o.unknownState === undefined ? undefined : { settle: 'resolve', value: o };
  };
}

type Verdict = { settle: 'resolve'; value: Observation } | { settle: 'reject'; error: Error } | undefined;

/**
 * Waits (armed before the patch is sent, so no answer is missed) for status.state to reach the
 * target: see destinationVerdict; a timeout names the last state seen. Never an unhandled
 * rejection: the caller awaits it once the patch is through.
 */
export function waitForDestination(args: {
  readonly tracker: StatusTracker;
  readonly event: TransitionEvent;
  readonly rule: TransitionRule;
  readonly ref: ObjectRef;
  readonly fail: (reason: TaskReason, message: string) => TaskError;
  readonly timeoutMs: number;
  readonly clock?: Clock;
}): Promise<Observation> {
  const { event, rule, fail, timeoutMs } = args;
  const waiting = args.tracker.waitFor({
    decide: destinationVerdict(args),
    timeoutMs,
    onTimeout: (last) =>
      fail(
        'TransitionTimeout',
        `${event} timed out after ${timeoutMs} ms waiting for "${rule.to}"; last observed status.state: ${last?.state ?? last?.unknownState ?? 'none'}`,
      ),
    ...(args.clock === undefined ? {} : { clock: args.clock }),
  });
  waiting.catch(() => {});
  return waiting;
}

/** How many times a transition's patch is sent when each one meets 409 Conflict. */
export const CONFLICT_ATTEMPTS = 3;

/**
 * Sends a transition's patch (KubectlTask: one kubectl patch; the fleet: through its batch) and,
 * after a 409 Conflict (a write raced ours: kube-apiserver gave up re-applying the patch to a
 * Task that kept changing), reads the Task again and sends the patch again only if that fresh
 * Task still allows the transition (refusalAfterConflict): never blind. The fresh Task is an
 * observation like any other (`onFresh`). A failure rejects every waiter of the tracker too.
 */
export async function patchAgainstFreshState<T>(args: {
  readonly taskId: string;
  readonly event: TransitionEvent;
  readonly rule: TransitionRule;
  readonly ref: ObjectRef;
  readonly kubectl: Kubectl;
  readonly tracker: StatusTracker;
  readonly fail: (reason: TaskReason, message: string) => TaskError;
  /** How messages name the Task (`task.v1alpha1…/t1 in namespace ns`, `its Task`). */
  readonly what: string;
  readonly send: () => Promise<T>;
  readonly onFresh: (object: KubeObject) => void;
}): Promise<T> {
  const { event, rule, ref, fail } = args;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await args.send();
      } catch (error) {
        if (!(error instanceof KubectlError) || error.reason !== 'Conflict' || attempt >= CONFLICT_ATTEMPTS) throw error;
        const fresh = await getObject(args.kubectl, ref);
        if (fresh === undefined) throw fail('TaskGone', `${args.what} was deleted during ${event}`);
        args.onFresh(fresh);
        const refusal = refusalAfterConflict(toObservation(fresh), event, rule);
        if (refusal !== undefined) throw fail('WrongState', `cannot ${event}: ${refusal} (its patch met 409 Conflict and was not sent again)`);
        debug('%s: %s met 409 Conflict; the Task read again still allows it: patching again', args.taskId, event);
      }
    }
  } catch (error) {
    args.tracker.abortAll(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

/**
 * Why a Task read again after a 409 no longer allows `event`, or undefined when it does: its
 * status.state is still where the transition starts, and its spec.state asks for nothing but that
 * start or this very target.
 */
export function refusalAfterConflict(fresh: Observation, event: TransitionEvent, rule: TransitionRule): string | undefined {
  if (fresh.state !== rule.from) {
    return `another write moved status.state to "${fresh.state ?? fresh.unknownState ?? 'none'}" meanwhile; ${event} needs "${rule.from}"`;
  }
  const desired = desiredState(fresh.object);
  if (desired !== undefined && desired !== rule.from && desired !== rule.to) return `another client set spec.state to "${desired}" meanwhile`;
  return undefined;
}

/**
 * The destination-state semantics shared by KubectlTask and the fleet: resolve on the target state,
 * fail fast on `error` (with status.error) or `done`, and on the Task's deletion.
 */
export function destinationVerdict(args: {
  event: TransitionEvent;
  rule: TransitionRule;
  ref: ObjectRef;
  fail: (reason: TaskReason, message: string) => TaskError;
}): (o: Observation | 'deleted') => Verdict {
  const { event, rule, ref, fail } = args;
  return (o) => {
    if (o === 'deleted') return { settle: 'reject', error: fail('TaskGone', `${describeRef(ref)} was deleted during ${event}`) };
    if (o.state === rule.to) return { settle: 'resolve', value: o };
    if (o.state === 'error') {
      return { settle: 'reject', error: fail('TransitionFailed', `${event} failed: ${o.error ?? 'status.state is error (no status.error given)'}`) };
    }
    if (o.state === 'done') return { settle: 'reject', error: fail('TransitionFailed', `${event} interrupted: the task finished`) };
    return undefined;
  };
}
