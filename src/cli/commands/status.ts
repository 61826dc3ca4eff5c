import { getObject } from '../../kubectl/commands.ts';
import type { Kubectl } from '../../kubectl/runner.ts';
import type { KubeObject } from '../../kubectl/types.ts';
import { isJsonObject } from '../../json.ts';
import { LABEL_TASK_ID, sanitizeLabelValue } from '../../manifest/index.ts';
import { effectiveNamespace, findTask } from '../../task/by-id.ts';
import { executorStateFor, parseTaskState } from '../../task/states.ts';
import { desiredState } from '../../task/status-tracker.ts';
import type { Command, CommandIo, CommandOptions } from '../command.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { ConnectionFlags } from '../flags.ts';
import { formatSummary, type TaskSummary } from '../printers.ts';
import { TaskCommandOptions } from '../task-command.ts';
import { exitCodeForStatus, makeKubectl, makeTask } from '../task-context.ts';
import { outputOf, type TaskRef } from '../task-ref.ts';

class StatusOptions extends TaskCommandOptions implements CommandOptions {
  constructor() {
    super('status');
  }

  async run({ out }: CommandIo): Promise<ExitCode> {
    const ref = await this.resolve();
    const summary = await summarize(ref, this.connection, makeKubectl(this.connection));
    out.stdout(formatSummary(summary, outputOf(ref)));
    return exitCodeForStatus(summary.executorState);
  }
}

export const statusCommand: Command = {
  name: 'status',
  summary: "Print a Task's desired and actual state and the executor state they map to",
  usage: 'kubectl-task status (-f TEMPLATE [--env K=V]... | --task-id ID | task/NAME) [-n NS] [-o json|yaml|name]',
  newOptions: () => new StatusOptions(),
};

/** One read is the whole answer: no watch to start and stop. */
async function summarize(ref: TaskRef, connection: ConnectionFlags, kubectl: Kubectl): Promise<TaskSummary> {
  if (ref.kind === 'template') {
    const task = await makeTask({ template: ref.template, connection, kubectl });
    const taskRef = (await task.render()).manifest.taskRef;
    await kubectl.ensureVersion();
    return summaryOf(await getObject(kubectl, taskRef), { taskId: task.id, name: taskRef.name, namespace: taskRef.namespace });
  }
  await kubectl.ensureVersion();
  const locator = ref.kind === 'name' ? ({ kind: 'name', name: ref.name } as const) : ({ kind: 'task-id', taskId: ref.taskId } as const);
  const object = await findTask(kubectl, locator, connection.namespace);
  const identity =
    object !== undefined
      ? { taskId: object.metadata.labels?.[LABEL_TASK_ID], name: object.metadata.name, namespace: object.metadata.namespace }
      : {
          taskId: ref.kind === 'task-id' ? sanitizeLabelValue(ref.taskId) : undefined,
          name: ref.kind === 'name' ? ref.name : undefined,
          namespace: await effectiveNamespace(kubectl, connection.namespace),
        };
  return summaryOf(object, identity);
}

function summaryOf(object: KubeObject | undefined, identity: Pick<TaskSummary, 'taskId' | 'name' | 'namespace'>): TaskSummary {
  if (object === undefined) return { ...identity, desired: undefined, actual: undefined, executorState: 'TASK_LOST', error: 'not found' };
  const status = object['status'];
  const error = isJsonObject(status) ? status['error'] : undefined;
  const actual = parseTaskState(isJsonObject(status) ? status['state'] : undefined);
  return {
    ...identity,
    desired: desiredState(object),
    actual: typeof actual === 'object' ? actual.unknown : actual,
    executorState: typeof actual === 'string' ? executorStateFor(actual) : undefined,
    error: typeof error === 'string' && error !== '' ? error : undefined,
  };
}
