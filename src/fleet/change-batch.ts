/**
 * Batched changes to live tasks. Transitions: one `kubectl patch -f -` per group of tasks that
 * share the same patch (recording batch/35), never a partial server-side apply, which strips every
 * field the partial object lacks (recording batch/28). Kills: one `kubectl delete` per namespace
 * naming every object (recording batch/30), without waiting: the informer sees them go.
 */
import { deleteBySelector, deleteMany, patchMany } from '../kubectl/batch.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { ObjectRef } from '../kubectl/types.ts';
import { LABEL_TASK_ID } from '../manifest/index.ts';
import type { Outcome } from './batcher.ts';
import { perGroupErrors } from './per-object.ts';

export interface TransitionItem {
  readonly ref: ObjectRef;
  /** The JSON patch, as text: tasks with the same text share one kubectl call. */
  readonly body: string;
}

export interface KillItem {
  readonly ref: ObjectRef;
  readonly taskId: string;
  /** Every object of the task when the fleet rendered it; absent for a reattached task (found by label). */
  readonly refs?: readonly ObjectRef[];
}

/**
 * Kinds a reattached task's objects are looked for by label (its template is not known): the Task
 * and the companion types a least-privilege executor may create (task/ownership.ts). Secrets only
 * in case: without the opt-in Role the executor may not list them, and then cannot have made any.
 */
export const COMPANION_TYPES_BY_LABEL = ['tasks.v1alpha1.aliecs.alice.cern', 'configmaps', 'services', 'secrets'] as const;
const OPTIONAL_TYPES: ReadonlySet<string> = new Set(['secrets']);

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), i]);
  });
  return groups;
}

async function settleGroups<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  run: (members: readonly T[]) => Promise<(Error | undefined)[]>,
): Promise<Outcome<void>[]> {
  const outcomes: Outcome<void>[] = items.map(() => ({ ok: true, value: undefined }));
  await Promise.all(
    [...groupBy(items, keyOf).values()].map(async (indices) => {
      const members = indices.map((i) => items[i] as T);
      let errors: (Error | undefined)[];
      try {
        errors = await run(members);
      } catch (error) {
        errors = members.map(() => (error instanceof Error ? error : new Error(String(error))));
      }
      indices.forEach((i, n) => {
        const error = errors[n];
        if (error !== undefined) outcomes[i] = { ok: false, error };
      });
    }),
  );
  return outcomes;
}

export function transitionBatch(k: Kubectl, items: readonly TransitionItem[]): Promise<Outcome<void>[]> {
  return settleGroups(
    items,
    (item) => `${item.ref.namespace ?? ''}\n${item.body}`,
    async (members) => {
      const first = members[0] as TransitionItem;
      const refs = members.map((m) => m.ref);
      const result = await patchMany(k, refs, 'json', first.body, first.ref.namespace ?? null);
      return perGroupErrors(
        result,
        refs.map((ref) => [ref]),
      );
    },
  );
}

export function killBatch(k: Kubectl, items: readonly KillItem[]): Promise<Outcome<void>[]> {
  return settleGroups(
    items,
    (item) => `${item.ref.namespace ?? ''}\n${item.refs === undefined ? 'label' : 'names'}`,
    async (members) => {
      const namespace = members[0]?.ref.namespace ?? null;
      const result =
        members[0]?.refs === undefined
          ? await deleteBySelector(k, COMPANION_TYPES_BY_LABEL, `${LABEL_TASK_ID} in (${members.map((m) => m.taskId).join(',')})`, namespace, OPTIONAL_TYPES)
          : await deleteMany(
              k,
              members.flatMap((m) => m.refs ?? []),
              namespace,
            );
      // --ignore-not-found: what is already gone is no error; only lines naming an object fail it.
      if (result.exitCode === 0) return members.map(() => undefined);
      return perGroupErrors(
        result,
        members.map((m) => m.refs ?? [m.ref]),
      );
    },
  );
}
