import { isTerminal } from '../../task/states.ts';
import type { Command } from '../command.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse } from '../flags.ts';
import { enableVerbose, exitCodeForStatus, makePrintingTask } from '../task-context.ts';
import { taskRefFlags } from '../task-ref.ts';

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Follow a Task and print every status change until it ends (or Ctrl-C)',
  usage: 'kubectl-task watch (-f TEMPLATE [--env K=V]... | --task-id ID | task/NAME) [-n NS] [-o json]',
  async run(argv, { out, signal }) {
    const { values, positionals } = parse('watch', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const ref = await taskRefFlags('watch', values, positionals);
    const { task, waitUntil } = await makePrintingTask({ ref, connection, out, until: (update) => isTerminal(update.state) });
    await task.attach();
    await waitUntil(signal);
    await task.detach();
    return exitCodeForStatus(task.status);
  },
};
