import { isTerminal } from '../../task/states.ts';
import type { Command, CommandIo, CommandOptions } from '../command.ts';
import type { ExitCode } from '../exit-codes.ts';
import { TaskCommandOptions } from '../task-command.ts';
import { exitCodeForStatus, makePrintingTask } from '../task-context.ts';

class WatchOptions extends TaskCommandOptions implements CommandOptions {
  constructor() {
    super('watch');
  }

  async run({ out, signal }: CommandIo): Promise<ExitCode> {
    const ref = await this.resolve();
    const { task, waitUntil } = await makePrintingTask({ ref, connection: this.connection, out, until: (update) => isTerminal(update.state) });
    await task.attach();
    await waitUntil(signal);
    await task.detach();
    return exitCodeForStatus(task.status);
  }
}

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Follow a Task and print every status change until it ends (or Ctrl-C)',
  usage: 'kubectl-task watch (-f TEMPLATE [--env K=V]... | --task-id ID | task/NAME) [-n NS] [-o json]',
  newOptions: () => new WatchOptions(),
};
