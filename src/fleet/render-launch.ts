/**
 * A fleet launch request → the objects to apply: the task's own variables only (baseEnv is
 * empty: never the executor's environment), the fleet's namespace, and the executor-id label on
 * every object so a restarted executor finds its tasks again.
 */
import type { JsonObject } from '../json.ts';
import { LABEL_MANAGED_BY, MANAGED_BY_VALUE } from '../manifest/index.ts';
import { toKubectlYaml } from '../render/kubectl-yaml.ts';
import { renderTask, type RenderedTask } from '../task/render-task.ts';
import type { FleetLaunchRequest } from './types.ts';

export const LABEL_EXECUTOR_ID = 'kubectl-task/executor-id';
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The label selector of a fleet's Tasks; TypeError for an executor id that is no label value. */
export function fleetSelector(executorId: string | undefined): string {
  if (executorId === undefined) return `${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE}`;
  if (!LABEL_VALUE.test(executorId)) {
    throw new TypeError(`executor id "${executorId}" is not a valid label value (1-63 of A-Z a-z 0-9 - _ ., alphanumeric at both ends)`);
  }
  return `${LABEL_MANAGED_BY}=${MANAGED_BY_VALUE},${LABEL_EXECUTOR_ID}=${executorId}`;
}

export async function renderForFleet(request: FleetLaunchRequest, where: { namespace?: string; executorId?: string }): Promise<RenderedTask> {
  const rendered = await renderTask({
    taskId: request.taskId,
    template:
      'file' in request.template ? { file: request.template.file } : { text: request.template.text, file: `<inline manifest of task ${request.taskId}>` },
    env: request.env ?? {},
    baseEnv: {},
    ...(request.executor === undefined ? {} : { executor: request.executor }),
    ...(request.allowMissing === undefined ? {} : { allowMissing: request.allowMissing }),
    ...(where.namespace === undefined ? {} : { namespace: { explicit: where.namespace } }),
  });
  if (where.executorId === undefined) return rendered;
  for (const object of rendered.manifest.objects) {
    object.metadata.labels = { ...object.metadata.labels, [LABEL_EXECUTOR_ID]: where.executorId };
  }
  return { ...rendered, yaml: toKubectlYaml(rendered.manifest.objects as unknown as JsonObject[]) };
}
