import { TaskError } from '../../task/errors.ts';
import type { KubectlTask } from '../../task/kubectl-task.ts';
import type { Command } from '../command.ts';
import { EXIT, exitCodeForReason } from '../exit-codes.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse } from '../flags.ts';
import { formatStatusUpdate } from '../printers.ts';
import { enableVerbose, makeKubectl, makeTaskFor } from '../task-context.ts';
import { outputOf, taskRefFlags } from '../task-ref.ts';

export const killCommand: Command = {
  name: 'kill',
  summary: 'Delete a Task and every object labelled with its task id, wait until they are gone (idempotent)',
  usage: 'kubectl-task kill (-f TEMPLATE [--env K=V]... | --task-id ID | task/NAME) [--timeout 60s] [-n NS] [-o json]',
  async run(argv, { out }) {
    const { values, positionals } = parse('kill', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const ref = await taskRefFlags('kill', values, positionals);
    const kubectl = makeKubectl(connection);
    let task: KubectlTask;
    try {
      task = await makeTaskFor(ref, { connection, kubectl, onStatus: (update) => out.stdout(formatStatusUpdate(update, outputOf(ref))) });
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
    if (state !== 'TASK_KILLED' && task.stage.kind === 'failed') out.stderr(`error: ${task.stage.message} [${task.stage.reason}]\n`);
    return state === 'TASK_KILLED' ? EXIT.ok : exitCodeForReason(task.stage.kind === 'failed' ? task.stage.reason : 'Unknown');
  },
};
