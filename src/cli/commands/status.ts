import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, templateFlags } from '../flags.ts';
import { formatSummary, type TaskSummary } from '../printers.ts';
import { enableVerbose, makeKubectl, makeTask } from '../task-context.ts';
import { TaskError } from '../../task/errors.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: "Print a Task's desired and actual state and the executor state they map to",
  usage: 'kubectl-task status -f TEMPLATE [--env K=V]... [-o json|yaml|name]',
  async run(argv, { out }) {
    const { values } = parse('status', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const template = await templateFlags('status', values);
    const task = await makeTask({ template, connection, kubectl: makeKubectl(connection) });
    const rendered = await task.render();
    const ref = rendered.manifest.taskRef;
    let summary: TaskSummary;
    try {
      const observation = await task.attach();
      const spec = observation.object['spec'];
      const desired = typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? spec['state'] : undefined;
      summary = {
        taskId: task.id,
        name: ref.name,
        namespace: ref.namespace,
        desired: typeof desired === 'string' ? desired : undefined,
        actual: observation.state ?? observation.unknownState,
        executorState: task.status,
        error: observation.error,
      };
    } catch (error) {
      if (!(error instanceof TaskError && error.reason === 'TaskGone')) throw error;
      summary = { taskId: task.id, name: ref.name, namespace: ref.namespace, desired: undefined, actual: undefined, executorState: 'TASK_LOST', error: 'not found' };
    } finally {
      await task.detach();
    }
    out.stdout(formatSummary(summary, template.output));
    return summary.executorState === 'TASK_FAILED' || summary.executorState === 'TASK_LOST' ? EXIT.taskFailed : EXIT.ok;
  },
};
