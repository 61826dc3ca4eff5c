import { isTerminal } from '../../task/states.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, templateFlags } from '../flags.ts';
import { formatStatusUpdate } from '../printers.ts';
import { enableVerbose, makeKubectl, makeTask } from '../task-context.ts';

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Follow a Task and print every status change until it ends (or Ctrl-C)',
  usage: 'kubectl-task watch -f TEMPLATE [--env K=V]... [-o json]',
  async run(argv, { out, signal }) {
    const { values } = parse('watch', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const template = await templateFlags('watch', values);
    let ended!: () => void;
    const terminal = new Promise<void>((resolve) => (ended = resolve));
    const task = await makeTask({
      template,
      connection,
      kubectl: makeKubectl(connection),
      onStatus: (update) => {
        out.stdout(formatStatusUpdate(update, template.output));
        if (isTerminal(update.state)) ended();
      },
    });
    await task.attach();
    signal.addEventListener('abort', ended, { once: true });
    await terminal;
    await task.detach();
    return task.status === 'TASK_FAILED' || task.status === 'TASK_LOST' ? EXIT.taskFailed : EXIT.ok;
  },
};
