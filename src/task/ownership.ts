/**
 * Which cluster objects a task owns: those that carry its `kubectl-task/task-id` label. A task
 * never takes over an object that another task (or a person) created — the original executor
 * re-labelled shared companions on apply and then deleted them on kill (defect 4) — and kill
 * deletes only what it owns.
 */
import { deleteObjects, getObjects, refOf, resourceArg } from '../kubectl/commands.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { KubeObject, ObjectRef } from '../kubectl/types.ts';
import { LABEL_TASK_ID } from '../manifest/index.ts';
import type { RenderedTask } from './render-task.ts';
import { TaskError, describeRef } from './errors.ts';

export type Owner = { readonly kind: 'this-task' } | { readonly kind: 'other-task'; readonly taskId: string } | { readonly kind: 'unmanaged' };

/** The label value this task puts on its objects (the manifest builder sanitised the id). */
export function ownLabel(rendered: RenderedTask): string {
  return rendered.manifest.task.metadata.labels?.[LABEL_TASK_ID] ?? '';
}

export function ownerOf(object: KubeObject, label: string): Owner {
  const value = object.metadata.labels?.[LABEL_TASK_ID];
  if (value === undefined) return { kind: 'unmanaged' };
  return value === label ? { kind: 'this-task' } : { kind: 'other-task', taskId: value };
}

/** Refuses to apply over objects that exist and belong to someone else. */
export async function assertNothingForeign(kubectl: Kubectl, rendered: RenderedTask, taskId: string): Promise<void> {
  const label = ownLabel(rendered);
  const existing = await getObjects(kubectl, rendered.manifest.refs);
  for (const object of existing) {
    const owner = ownerOf(object, label);
    if (owner.kind === 'this-task') continue;
    const whose = owner.kind === 'other-task' ? `task ${owner.taskId} (label ${LABEL_TASK_ID}=${owner.taskId})` : `nobody known to kubectl-task (no ${LABEL_TASK_ID} label)`;
    throw new TaskError({
      reason: 'OwnedElsewhere',
      taskId,
      message: `task ${taskId}: ${describeRef(refOf(object))} already exists and belongs to ${whose}; a task only applies objects it owns (rename it in ${rendered.file})`,
    });
  }
}

/** The task's objects that are still there and still its own, in manifest order. */
export async function ownedRefs(kubectl: Kubectl, rendered: RenderedTask): Promise<{ owned: ObjectRef[]; foreign: string[] }> {
  const label = ownLabel(rendered);
  const existing = await getObjects(kubectl, rendered.manifest.refs);
  const owned: ObjectRef[] = [];
  const foreign: string[] = [];
  for (const object of existing) {
    if (ownerOf(object, label).kind === 'this-task') owned.push(refOf(object));
    else foreign.push(resourceArg(refOf(object)));
  }
  return { owned, foreign };
}

/**
 * Deletes what the task still owns and waits (bounded) until it is gone; objects another task
 * took over are left alone. Returns a one-line account for the status message.
 */
export async function deleteOwned(kubectl: Kubectl, rendered: RenderedTask, timeoutMs: number): Promise<string> {
  const { owned, foreign } = await ownedRefs(kubectl, rendered);
  await deleteObjects(kubectl, owned, { ignoreNotFound: true, wait: true, timeoutMs });
  const deleted = owned.length === 0 ? 'nothing left to delete' : `deleted ${owned.map(resourceArg).join(', ')}`;
  return foreign.length === 0 ? deleted : `${deleted}; left ${foreign.join(', ')} (owned by another task)`;
}
