import { TaskError } from '../../task/errors.ts';
import type { KubectlTask, StatusUpdate } from '../../task/kubectl-task.ts';
import type { Command, CommandIo, CommandOptions } from '../command.ts';
import { EXIT, exitCodeForReason, type ExitCode } from '../exit-codes.ts';
import { formatStatusUpdate } from '../printers.ts';
import { TaskCommandOptions } from '../task-command.ts';
import { makeKubectl, makeTaskFor } from '../task-context.ts';
import { outputOf } from '../task-ref.ts';

class KillOptions extends TaskCommandOptions implements CommandOptions {
  constructor() {
    super('kill');
  }

  async run({ out }: CommandIo): Promise<ExitCode> {
    const ref = await this.resolve();
    const connection = this.connection;
    let task: KubectlTask;
    try {
      const onStatus = (update: StatusUpdate): void => out.stdout(formatStatusUpdate(update, outputOf(ref)));
      task = await makeTaskFor(ref, { connection, kubectl: makeKubectl(connection), onStatus });
    } catch (error) {
      // Idempotent like the other forms: a Task that is gone has nothing left to kill. (Without its
      // label its companions cannot be told apart; --task-id finds them.)
      if (ref.kind === 'name' && error instanceof TaskError && error.reason === 'TaskGone') {
        out.stderr(`warning: ${error.message}: nothing to delete (companions left behind are found with --task-id)\n`);
        return EXIT.ok;
      }
      throw error;
    }
    const state = await task.kill();
    if (state === 'TASK_KILLED') return EXIT.ok;
    const stage = task.stage;
    if (stage.kind === 'failed') out.stderr(`error: ${stage.message} [${stage.reason}]\n`);
    return exitCodeForReason(stage.kind === 'failed' ? stage.reason : 'Unknown');
  }
}

export const killCommand: Command = {
  name: 'kill',
  summary: 'Delete a Task and every object labelled with its task id, wait until they are gone (idempotent)',
  usage: 'kubectl-task kill (-f TEMPLATE [--env K=V]... | --task-id ID | task/NAME) [--timeout 60s] [-n NS] [-o json]',
  newOptions: () => new KillOptions(),
};
