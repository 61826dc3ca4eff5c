/**
 * Which cluster objects a task owns: those that carry its `kubectl-task/task-id` label. A task
 * never takes over an object that another task (or a person) created — the original executor
 * re-labelled shared companions on apply and then deleted them on kill (defect 4) — and kill
 * deletes only what it owns.
 */
import { deleteObjects, getObjects, refOf, resourceArg } from '../kubectl/commands.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { KubeObject } from '../kubectl/types.ts';
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

/**
 * Deletes what the task still owns and waits (bounded) until it is gone; companions another task
 * took over are left alone. A Task object that carries another task id is an error, not a
 * success with nothing deleted: the caller most likely named the task wrong.
 */
export async function deleteOwned(kubectl: Kubectl, rendered: RenderedTask, taskId: string, timeoutMs: number): Promise<string> {
  const label = ownLabel(rendered);
  const existing = await getObjects(kubectl, rendered.manifest.refs);
  const taskObject = existing.find((o) => o.kind === rendered.manifest.taskRef.kind && o.metadata.name === rendered.manifest.taskRef.name);
  const taskOwner = taskObject === undefined ? undefined : ownerOf(taskObject, label);
  if (taskOwner !== undefined && taskOwner.kind !== 'this-task') {
    const hint = taskOwner.kind === 'other-task' ? `it was launched as task ${taskOwner.taskId} (pass --task-id ${taskOwner.taskId})` : `it has no ${LABEL_TASK_ID} label (not launched by kubectl-task)`;
    throw new TaskError({ reason: 'OwnedElsewhere', taskId, message: `task ${taskId}: will not delete ${describeRef(rendered.manifest.taskRef)}: ${hint}` });
  }
  const owned = existing.filter((o) => ownerOf(o, label).kind === 'this-task').map(refOf);
  const foreign = existing.filter((o) => ownerOf(o, label).kind !== 'this-task').map((o) => resourceArg(refOf(o)));
  await deleteObjects(kubectl, owned, { ignoreNotFound: true, wait: true, timeoutMs });
  const deleted = owned.length === 0 ? 'nothing left to delete' : `deleted ${owned.map(resourceArg).join(', ')}`;
  return foreign.length === 0 ? deleted : `${deleted}; left ${foreign.join(', ')} (owned by another task)`;
}
