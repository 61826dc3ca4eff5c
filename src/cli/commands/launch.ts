import { isTerminal } from '../../task/states.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, templateFlags } from '../flags.ts';
import { formatStatusUpdate } from '../printers.ts';
import { enableVerbose, makeKubectl, makeTask } from '../task-context.ts';

export const launchCommand: Command = {
  name: 'launch',
  summary: 'Render a template, apply it, and wait until the task manager reports the Task',
  usage: 'kubectl-task launch -f TEMPLATE [--env K=V]... [--no-wait] [--timeout 60s] [-n NS] [-o json]',
  async run(argv, { out, signal }) {
    const { values } = parse('launch', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS, 'no-wait': { type: 'boolean' } });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const template = await templateFlags('launch', values);
    const kubectl = makeKubectl(connection);
    let reported!: () => void;
    const firstStatus = new Promise<void>((resolve) => (reported = resolve));
    const task = await makeTask({
      template,
      connection,
      kubectl,
      onStatus: (update) => {
        out.stdout(formatStatusUpdate(update, template.output));
        if (update.state === 'TASK_RUNNING' || isTerminal(update.state)) reported();
      },
    });
    await task.launch();
    if (values['no-wait'] !== true) {
      const timeoutMs = connection.timeoutMs ?? 60_000;
      const timer = setTimeout(reported, timeoutMs);
      signal.addEventListener('abort', reported, { once: true });
      await firstStatus;
      clearTimeout(timer);
      if (task.status !== 'TASK_RUNNING' && !isTerminal(task.status)) {
        out.stderr(`warning: ${task.id}: no status.state reported within ${timeoutMs} ms (is a task manager / fake-controller running?)\n`);
      }
    }
    await task.detach();
    return task.status === 'TASK_FAILED' || task.status === 'TASK_LOST' ? EXIT.taskFailed : EXIT.ok;
  },
};
