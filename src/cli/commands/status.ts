import { getObject } from '../../kubectl/commands.ts';
import { isJsonObject } from '../../kubectl/types.ts';
import { executorStateFor, parseTaskState } from '../../task/states.ts';
import type { Command } from '../command.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, templateFlags } from '../flags.ts';
import { formatSummary, type TaskSummary } from '../printers.ts';
import { enableVerbose, exitCodeForStatus, makeKubectl, makeTask } from '../task-context.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: "Print a Task's desired and actual state and the executor state they map to",
  usage: 'kubectl-task status -f TEMPLATE [--env K=V]... [-o json|yaml|name]',
  async run(argv, { out }) {
    const { values } = parse('status', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const template = await templateFlags('status', values);
    const kubectl = makeKubectl(connection);
    const task = await makeTask({ template, connection, kubectl });
    const ref = (await task.render()).manifest.taskRef;
    // One read is the whole answer: no watch to start and stop.
    await kubectl.ensureVersion();
    const object = await getObject(kubectl, ref);
    const identity = { taskId: task.id, name: ref.name, namespace: ref.namespace };
    let summary: TaskSummary;
    if (object === undefined) {
      summary = { ...identity, desired: undefined, actual: undefined, executorState: 'TASK_LOST', error: 'not found' };
    } else {
      const spec = object['spec'];
      const status = object['status'];
      const desired = isJsonObject(spec) ? spec['state'] : undefined;
      const error = isJsonObject(status) ? status['error'] : undefined;
      const actual = parseTaskState(isJsonObject(status) ? status['state'] : undefined);
      summary = {
        ...identity,
        desired: typeof desired === 'string' ? desired : undefined,
        actual: typeof actual === 'object' ? actual.unknown : actual,
        executorState: typeof actual === 'string' ? executorStateFor(actual) : undefined,
        error: typeof error === 'string' && error !== '' ? error : undefined,
      };
    }
    out.stdout(formatSummary(summary, template.output));
    return exitCodeForStatus(summary.executorState);
  },
};
