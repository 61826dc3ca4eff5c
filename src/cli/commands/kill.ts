import type { Command } from '../command.ts';
import { EXIT, exitCodeForReason } from '../exit-codes.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, templateFlags } from '../flags.ts';
import { formatStatusUpdate } from '../printers.ts';
import { enableVerbose, makeKubectl, makeTask } from '../task-context.ts';

export const killCommand: Command = {
  name: 'kill',
  summary: 'Delete a Task and its own companion objects, wait until they are gone (idempotent)',
  usage: 'kubectl-task kill -f TEMPLATE [--env K=V]... [--timeout 60s] [-o json]',
  async run(argv, { out }) {
    const { values } = parse('kill', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const template = await templateFlags('kill', values);
    const task = await makeTask({
      template,
      connection,
      kubectl: makeKubectl(connection),
      onStatus: (update) => out.stdout(formatStatusUpdate(update, template.output)),
    });
    const state = await task.kill();
    if (state !== 'TASK_KILLED' && task.stage.kind === 'failed') out.stderr(`error: ${task.stage.message} [${task.stage.reason}]\n`);
    return state === 'TASK_KILLED' ? EXIT.ok : exitCodeForReason(task.stage.kind === 'failed' ? task.stage.reason : 'Unknown');
  },
};
