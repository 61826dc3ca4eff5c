/**
 * Finding a launched task without its template: by the task id it was launched with (every object
 * of a task carries `kubectl-task/task-id`, see manifest/labels.ts; a long or odd id is hashed
 * into the label value the same way here as at launch) or by its Task's name. The separate CLI
 * calls of status, watch and kill need nothing but that, so no one has to keep the template and
 * its variables around to stop a task.
 */
import { getObject } from '../kubectl/commands.ts';
import { contextNamespace } from '../kubectl/config.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { KubeObject } from '../kubectl/types.ts';
import { LABEL_TASK_ID, TASK_API_VERSION, TASK_KIND, sanitizeLabelValue } from '../manifest/index.ts';
import { TaskError } from './errors.ts';
import { TASK_TYPE, listLabelled } from './ownership.ts';

export type TaskLocator =
  /** The id the task was launched with (`--task-id`, or the Task's name by default in the CLI). */
  | { readonly kind: 'task-id'; readonly taskId: string }
  /** The Task object's name (`task/NAME`). */
  | { readonly kind: 'name'; readonly name: string };

/** `task-id X` or `task/NAME`, as messages name what was looked for. */
export function describeLocator(locator: TaskLocator): string {
  return locator.kind === 'task-id' ? `task-id ${locator.taskId} (label ${LABEL_TASK_ID}=${sanitizeLabelValue(locator.taskId)})` : `task/${locator.name}`;
}

/**
 * The Task a locator names in `namespace` (undefined: the runner's -n, else the kubeconfig
 * context's, as kubectl decides), or undefined when there is none. One kubectl call either way.
 * Several Tasks under one id (two templates launched with the same --task-id) are Ambiguous.
 */
export async function findTask(kubectl: Kubectl, locator: TaskLocator, namespace: string | undefined): Promise<KubeObject | undefined> {
  if (locator.kind === 'name') {
    return getObject(kubectl, { apiVersion: TASK_API_VERSION, kind: TASK_KIND, name: locator.name, ...(namespace === undefined ? {} : { namespace }) });
  }
  const tasks = await listLabelled(kubectl, namespace, [TASK_TYPE], sanitizeLabelValue(locator.taskId));
  if (tasks.length > 1) {
    const names = tasks.map((t) => `task/${t.metadata.name}`).join(', ');
    const message = `task ${locator.taskId}: ${describeLocator(locator)} labels ${tasks.length} Tasks (${names}); name the one meant`;
    throw new TaskError({ reason: 'Ambiguous', taskId: locator.taskId, message });
  }
  return tasks[0];
}

/** The namespace kubectl would use: the explicit one, else the kubeconfig context's, else `default`. */
export async function effectiveNamespace(kubectl: Kubectl, explicit: string | undefined): Promise<string> {
  return explicit ?? kubectl.connection.namespace ?? (await contextNamespace(kubectl)) ?? 'default';
}

/**
 * `task/NAME`, `tasks/NAME`, `task.aliecs.alice.cern/NAME` (what `status -o name` prints) or
 * `task.v1alpha1.aliecs.alice.cern/NAME` → NAME; anything else → undefined.
 */
export function parseTaskName(arg: string): string | undefined {
  const match = /^(?:tasks?)(?:\.v1alpha1)?(?:\.aliecs\.alice\.cern)?\/([^/]+)$/.exec(arg);
  if (match === null) return undefined;
  const name = match[1] ?? '';
  // `task.v1alpha1/NAME` (a version without its group) is not a kubectl spelling.
  if (/^tasks?\.v1alpha1\//.test(arg)) return undefined;
  return name;
}
