import { isTerminal } from '../../task/states.ts';
import type { Command } from '../command.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, templateFlags } from '../flags.ts';
import { enableVerbose, exitCodeForStatus, makePrintingTask } from '../task-context.ts';

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Follow a Task and print every status change until it ends (or Ctrl-C)',
  usage: 'kubectl-task watch -f TEMPLATE [--env K=V]... [-o json]',
  async run(argv, { out, signal }) {
    const { values } = parse('watch', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const template = await templateFlags('watch', values);
    const { task, waitUntil } = await makePrintingTask({ template, connection, out, until: (update) => isTerminal(update.state) });
    await task.attach();
    await waitUntil(signal);
    await task.detach();
    return exitCodeForStatus(task.status);
  },
};
