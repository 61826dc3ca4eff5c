import { isTerminal } from '../../task/states.ts';
import type { Command, CommandIo } from '../command.ts';
import type { ExitCode } from '../exit-codes.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, templateFlags, type ConnectionFlags, type TemplateFlags } from '../flags.ts';
import { enableVerbose, exitCodeForStatus, makePrintingTask } from '../task-context.ts';

export const LAUNCH_FLAGS = { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS, 'no-wait': { type: 'boolean' } } as const;

export const launchCommand: Command = {
  name: 'launch',
  summary: 'Render a template, apply it, and wait until the task manager reports the Task',
  usage: 'kubectl-task launch -f TEMPLATE [--env K=V]... [--no-wait] [--timeout 60s] [-n NS] [-o json]',
  async run(argv, io) {
    const { values } = parse('launch', argv, LAUNCH_FLAGS);
    const connection = connectionFlags(values);
    enableVerbose(connection);
    return launchTask({ template: await templateFlags('launch', values), connection, wait: values['no-wait'] !== true }, io);
  },
};

/** Launches one task and, unless told not to, waits for its first status (shared with run-workflow). */
export async function launchTask(args: { template: TemplateFlags; connection: ConnectionFlags; wait: boolean }, { out, signal }: CommandIo): Promise<ExitCode> {
  const { task, waitUntil } = await makePrintingTask({
    template: args.template,
    connection: args.connection,
    out,
    until: (update) => update.state === 'TASK_RUNNING' || isTerminal(update.state),
  });
  await task.launch();
  if (args.wait) {
    const timeoutMs = args.connection.timeoutMs ?? 60_000;
    await waitUntil(signal, timeoutMs);
    if (task.status !== 'TASK_RUNNING' && !isTerminal(task.status)) {
      out.stderr(`warning: ${task.id}: no status.state reported within ${timeoutMs} ms (is a task manager / fake-controller running?)\n`);
    }
  }
  await task.detach();
  return exitCodeForStatus(task.status);
}
