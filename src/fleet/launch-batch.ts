/**
 * One launch batch in three kubectl calls, whatever its size (recording batch/25):
 *   1. one ownership read of every object the batch would apply (`get <r1> <r2> … --ignore-not-found`);
 *   2. one server dry run of the stream of every task still in;
 *   3. one `apply -f -` of the stream of every task that passed.
 * Each stdout and stderr line is mapped back to its task, so one invalid task fails alone.
 */
import { getObjects, refOf } from '../kubectl/commands.ts';
import { applyMany } from '../kubectl/batch.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { KubeObject, ObjectRef } from '../kubectl/types.ts';
import { LABEL_TASK_ID } from '../manifest/index.ts';
import { TaskError, describeRef } from '../task/errors.ts';
import type { RenderedTask } from '../task/render-task.ts';
import type { Outcome } from './batcher.ts';
import type { FleetTask } from './fleet-task.ts';
import { perGroupErrors, printedType } from './per-object.ts';

export interface PreparedLaunch {
  readonly task: FleetTask;
  readonly rendered: RenderedTask;
}

const objectKey = (o: { apiVersion: string; kind: string; name: string; namespace?: string }): string => `${printedType(o)}/${o.namespace ?? ''}/${o.name}`;

/** A launch refused because one of its objects exists: the task's own (AlreadyLaunched), or someone else's. */
function alreadyThere(taskId: string, ref: ObjectRef, owner: string | undefined, label: string | undefined): TaskError {
  if (owner === label) {
    const advice = 'launch never changes a running task: follow it (status) or kill it first';
    const message = `task ${taskId}: ${describeRef(ref)} already exists with this task id; ${advice}`;
    return new TaskError({ reason: 'AlreadyLaunched', taskId, message });
  }
  const whose = owner === undefined ? 'nobody known to kubectl-task' : `task ${owner}`;
  return new TaskError({ reason: 'OwnedElsewhere', taskId, message: `task ${taskId}: ${describeRef(ref)} already exists and belongs to ${whose}` });
}

export async function launchBatch(k: Kubectl, items: readonly PreparedLaunch[], namespace: string | null): Promise<Outcome<void>[]> {
  const outcomes: (Outcome<void> | undefined)[] = items.map(() => undefined);
  const failAll = (error: unknown): Outcome<void>[] =>
    items.map((_, i) => outcomes[i] ?? { ok: false, error: error instanceof Error ? error : new Error(String(error)) });
  let existing: KubeObject[];
  try {
    await k.ensureVersion();
    existing = await getObjects(
      k,
      items.flatMap((item) => item.rendered.manifest.refs),
    );
  } catch (error) {
    return failAll(error);
  }
  const found = new Map(existing.map((object) => [objectKey(refOf(object)), object]));
  items.forEach((item, i) => {
    const label = item.rendered.manifest.task.metadata.labels?.[LABEL_TASK_ID];
    for (const ref of item.rendered.manifest.refs) {
      const object = found.get(objectKey(ref));
      if (object === undefined) continue;
      outcomes[i] = { ok: false, error: alreadyThere(item.task.taskId, ref, object.metadata.labels?.[LABEL_TASK_ID], label) };
      return;
    }
  });
  for (const dryRun of [true, false]) {
    const live = items.map((_, i) => i).filter((i) => outcomes[i] === undefined);
    if (live.length === 0) break;
    // From here on a failure may leave some of a task's objects applied: its kill must clean up.
    if (!dryRun) for (const i of live) if (items[i] !== undefined) items[i].task.mayHaveObjects = true;
    try {
      const result = await applyMany(k, live.map((i) => items[i]?.rendered.yaml ?? '').join('---\n'), { dryRun, namespace });
      const errors = perGroupErrors(
        result,
        live.map((i) => items[i]?.rendered.manifest.refs ?? []),
      );
      live.forEach((i, n) => {
        const error = errors[n];
        if (error === undefined) return;
        outcomes[i] = { ok: false, error: dryRun ? error.withMessage(`${error.message} (server dry run: nothing of this task was applied)`) : error };
      });
    } catch (error) {
      return failAll(error);
    }
  }
  return items.map((_, i) => outcomes[i] ?? { ok: true, value: undefined });
}
