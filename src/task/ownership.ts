/**
 * Which cluster objects a task owns: those that carry its `kubectl-task/task-id` label. A task
 * never takes over an object that another task (or a person) created — the original executor
 * re-labelled shared companions on apply and then deleted them on kill (defect 4) — and kill
 * deletes only what it owns.
 *
 * Kill finds what it owns by label, not by the template's list, so a companion the template in
 * hand does not name (an older version of the template, a Task-only template, or no template at
 * all: `kill --task-id`) is deleted too. A label selector needs resource types, and asking the
 * server for every type it serves (`kubectl api-resources`, then one list per type) would cost
 * many calls per kill; instead the types are the Task's, DEFAULT_COMPANION_TYPES and the types of
 * the template's own documents when there is one.
 */
import os from 'node:os';
import createDebug from 'debug';
import { deleteObjects, getObject, getObjects, listSelected, patchMerge, refOf, resourceArg, resourceType } from '../kubectl/commands.ts';
import { KubectlError } from '../kubectl/errors.ts';
import { withoutRefusedOptionalTypes } from '../kubectl/optional-types.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { KubeObject, ObjectRef } from '../kubectl/types.ts';
import { isJsonObject } from '../json.ts';
import { LABEL_TASK_ID, TASK_API_VERSION, TASK_KIND } from '../manifest/index.ts';
import type { RenderedTask } from './render-task.ts';
import { TaskError, describeRef } from './errors.ts';

const debug = createDebug('kubectl-task:task');

export type Owner = { readonly kind: 'this-task' } | { readonly kind: 'other-task'; readonly taskId: string } | { readonly kind: 'unmanaged' };

/** `task.v1alpha1.aliecs.alice.cern`: the Task's type, fully qualified so no other `task` kind can match. */
export const TASK_TYPE = resourceType({ apiVersion: TASK_API_VERSION, kind: TASK_KIND });

/**
 * Companion types looked up by label whatever the template says: exactly the kinds the executor
 * Role (manifests/executor-rbac.yaml) and its Secrets opt-in let a task create, so a
 * least-privilege executor can never have made a companion of another type. Those the template
 * does not declare are optional: one the server refuses to list (Secrets without the opt-in) is
 * skipped, since the executor then cannot have created any.
 */
export const DEFAULT_COMPANION_TYPES: readonly string[] = ['configmap', 'service', 'secret'];

/**
 * Set on the Task (merge patch) right before kill deletes it, so that whoever watches it from
 * another process sees who ended it and reports TASK_KILLED rather than TASK_LOST.
 */
export const ANNOTATION_KILLED_BY = 'kubectl-task/killed-by';

/** What a kill covers, however the task was found (a template, or only its id). */
export interface OwnerScope {
  readonly taskId: string;
  /** Value of the task-id label: what the task owns carries it. */
  readonly label: string;
  /** Where its objects live (a manifest has exactly one namespace). */
  readonly namespace: string;
  /** The template's objects, the Task included; empty when the task was found by id. */
  readonly declared: readonly ObjectRef[];
  /** The Task object, when its name is known. */
  readonly taskRef?: ObjectRef;
}

/** A scope whose Task is known: what a launched or attached task follows. */
export type TaskTarget = OwnerScope & { readonly taskRef: ObjectRef };

/** The label value this task puts on its objects (the manifest builder sanitised the id). */
export function ownLabel(rendered: RenderedTask): string {
  return rendered.manifest.task.metadata.labels?.[LABEL_TASK_ID] ?? '';
}

export function scopeOfRendered(rendered: RenderedTask, taskId: string): TaskTarget {
  return { taskId, label: ownLabel(rendered), namespace: rendered.manifest.namespace, declared: rendered.manifest.refs, taskRef: rendered.manifest.taskRef };
}

/** A Task object as found on the cluster (by id or by name), as a target. */
export function scopeOfTask(task: KubeObject, taskId: string): TaskTarget {
  const ref = refOf(task);
  return { taskId, label: task.metadata.labels?.[LABEL_TASK_ID] ?? '', namespace: ref.namespace ?? '', declared: [], taskRef: ref };
}

export function ownerOf(object: KubeObject, label: string): Owner {
  const value = object.metadata.labels?.[LABEL_TASK_ID];
  if (value === undefined) return { kind: 'unmanaged' };
  return value === label ? { kind: 'this-task' } : { kind: 'other-task', taskId: value };
}

const isTaskObject = (o: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean => o.apiVersion === TASK_API_VERSION && o.kind === TASK_KIND;
const sameObject = (ref: ObjectRef) => (o: KubeObject) => o.kind === ref.kind && o.metadata.name === ref.name;

/**
 * Refuses to launch over what exists: the task's own Task (a launch never changes a launched
 * task: re-applying the template would put `spec.state` back to what it says, under a running
 * task) and objects that belong to someone else. One read of the template's objects answers both.
 */
export async function assertLaunchable(kubectl: Kubectl, rendered: RenderedTask, taskId: string): Promise<void> {
  const label = ownLabel(rendered);
  const existing = await getObjects(kubectl, rendered.manifest.refs);
  const taskRef = rendered.manifest.taskRef;
  const task = existing.find(sameObject(taskRef));
  if (task !== undefined && ownerOf(task, label).kind === 'this-task') {
    const status = task['status'];
    const state = isJsonObject(status) && typeof status['state'] === 'string' ? `status.state ${status['state']}` : 'no status.state yet';
    throw new TaskError({
      reason: 'AlreadyLaunched',
      taskId,
      message:
        `task ${taskId}: ${describeRef(taskRef)} is already launched (${state}) and a launch never changes it; ` +
        `follow it with kubectl-task watch --task-id ${taskId} -n ${rendered.manifest.namespace} (or status), or attach() in the library`,
    });
  }
  for (const object of existing) {
    const owner = ownerOf(object, label);
    if (owner.kind === 'this-task') continue;
    const whose =
      owner.kind === 'other-task'
        ? `task ${owner.taskId} (label ${LABEL_TASK_ID}=${owner.taskId})`
        : `nobody known to kubectl-task (no ${LABEL_TASK_ID} label)`;
    throw new TaskError({
      reason: 'OwnedElsewhere',
      taskId,
      message:
        `task ${taskId}: ${describeRef(refOf(object))} already exists and belongs to ${whose}; ` +
        `a task only applies objects it owns (rename it in ${rendered.file})`,
    });
  }
}

/** Every object of these types in `namespace` that carries the task-id label `label`. */
export async function listLabelled(kubectl: Kubectl, namespace: string | undefined, types: readonly string[], label: string): Promise<KubeObject[]> {
  // An empty value would select objects whose label is empty, i.e. nobody's.
  if (label === '') throw new TypeError('listLabelled needs a non-empty label value');
  return listSelected(kubectl, types, `${LABEL_TASK_ID}=${label}`, namespace);
}

/** Who a kill annotation names: enough to find the process that ended the task. */
export function killerIdentity(): string {
  return `kubectl-task pid ${process.pid} on ${os.hostname()}`;
}

/**
 * Deletes what the task owns (every object of the looked-up types with its label) and waits
 * (bounded) until it is gone; objects another task took over are left alone. A Task object that
 * carries another task id is an error, not a success with nothing deleted: the caller most likely
 * named the task wrong. The Task is marked (ANNOTATION_KILLED_BY) before the delete.
 */
export async function deleteOwned(kubectl: Kubectl, scope: OwnerScope, options: { readonly timeoutMs: number; readonly killedBy: string }): Promise<string> {
  const { taskId, label, taskRef } = scope;
  // The template's objects, read by name: the Task's owner and the companions left to others.
  const declared = scope.declared.length === 0 ? [] : await getObjects(kubectl, scope.declared);
  const taskObject = taskRef === undefined ? undefined : declared.find(sameObject(taskRef));
  const taskOwner = taskObject === undefined ? undefined : ownerOf(taskObject, label);
  if (taskRef !== undefined && taskOwner !== undefined && taskOwner.kind !== 'this-task') {
    const hint =
      taskOwner.kind === 'other-task'
        ? `it was launched as task ${taskOwner.taskId} (pass --task-id ${taskOwner.taskId})`
        : `it has no ${LABEL_TASK_ID} label (not launched by kubectl-task)`;
    throw new TaskError({ reason: 'OwnedElsewhere', taskId, message: `task ${taskId}: will not delete ${describeRef(taskRef)}: ${hint}` });
  }
  const foreign = declared.filter((o) => ownerOf(o, label).kind !== 'this-task').map((o) => resourceArg(refOf(o)));
  const types = [...new Set([TASK_TYPE, ...DEFAULT_COMPANION_TYPES, ...scope.declared.map(resourceType)])];
  // Default companion types the template does not declare are looked at only in case (see optional-types.ts).
  const optional = new Set(DEFAULT_COMPANION_TYPES.filter((type) => !scope.declared.some((ref) => resourceType(ref) === type)));
  const owned = label === '' ? [] : await withoutRefusedOptionalTypes(types, optional, (some) => listLabelled(kubectl, scope.namespace, some, label));
  // The Task first: a watcher of the task hears of its end before its companions go.
  const tasks = owned.filter(isTaskObject).map(refOf);
  const refs = [...tasks, ...owned.filter((o) => !isTaskObject(o)).map(refOf)];
  for (const ref of tasks) await markKilled(kubectl, ref, options.killedBy, label);
  await deleteObjects(kubectl, refs, { ignoreNotFound: true, wait: true, timeoutMs: options.timeoutMs });
  const deleted = refs.length === 0 ? 'nothing left to delete' : `deleted ${refs.map(resourceArg).join(', ')}`;
  return foreign.length === 0 ? deleted : `${deleted}; left ${foreign.join(', ')} (owned by another task)`;
}

/** How many times the mark is sent when each one meets 409 Conflict. */
const MARK_ATTEMPTS = 3;

/**
 * Best effort: a Task that cannot be marked is still deleted (its watchers then say TASK_LOST).
 * A 409 Conflict (a write raced the mark) is not the end of it: the Task is read again, and marked
 * again only if it is still there and still this task's (`label`), never blind.
 */
async function markKilled(kubectl: Kubectl, ref: ObjectRef, killedBy: string, label: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await patchMerge(kubectl, ref, { metadata: { annotations: { [ANNOTATION_KILLED_BY]: killedBy } } });
      return;
    } catch (error) {
      if (!(error instanceof KubectlError)) throw error;
      if (error.reason === 'Conflict' && attempt < MARK_ATTEMPTS) {
        const fresh = await getObject(kubectl, ref).catch(() => undefined);
        if (fresh !== undefined && ownerOf(fresh, label).kind === 'this-task') continue;
      }
      debug('%s: not marked %s: %s', resourceArg(ref), ANNOTATION_KILLED_BY, error.message);
      return;
    }
  }
}
