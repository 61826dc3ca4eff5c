import { TaskError } from '../../task/errors.ts';
import type { KubectlTask } from '../../task/kubectl-task.ts';
import type { Command, CommandIo } from '../command.ts';
import type { ExitCode } from '../exit-codes.ts';
import { UsageError } from '../usage-error.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, templateFlags, type ConnectionFlags, type TemplateFlags } from '../flags.ts';
import { enableVerbose, exitCodeForStatus, makePrintingTask } from '../task-context.ts';
import { taskRefFlags, type TaskRef } from '../task-ref.ts';

/** Shared with run-workflow, which has no --attach (a workflow always launches). */
export const LAUNCH_FLAGS = { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS, 'no-wait': { type: 'boolean' } } as const;

const DEFAULT_WAIT_MS = 60_000;

export const launchCommand: Command = {
  name: 'launch',
  summary: 'Render a template, apply it, and wait until the task manager reports the Task (--attach: follow one launched already)',
  usage:
    'kubectl-task launch -f TEMPLATE [--env K=V]... [--no-wait] [--timeout 60s] [-n NS] [-o json]\n' +
    '       kubectl-task launch --attach (-f TEMPLATE [--env K=V]... | --task-id ID | task/NAME) [--timeout 60s] [-n NS] [-o json]\n' +
    '  A Task of the same task id that exists already is never changed: launch fails (AlreadyLaunched); --attach follows it.',
  async run(argv, io) {
    const { values, positionals } = parse('launch', argv, { ...LAUNCH_FLAGS, attach: { type: 'boolean' } });
    const connection = connectionFlags(values);
    enableVerbose(connection);
    const wait = values['no-wait'] !== true;
    if (values['attach'] === true) return launchOrAttach({ ref: await taskRefFlags('launch', values, positionals), connection, wait, mode: 'attach' }, io);
    if (positionals.length > 0) throw new UsageError(`launch: unexpected ${positionals.join(' ')}: only launch --attach follows a launched task; launch needs -f TEMPLATE`);
    return launchTask({ template: await templateFlags('launch', values), connection, wait }, io);
  },
};

/** Launches one task and, unless told not to, waits for its first status (shared with run-workflow). */
export function launchTask(args: { template: TemplateFlags; connection: ConnectionFlags; wait: boolean }, io: CommandIo): Promise<ExitCode> {
  return launchOrAttach({ ref: { kind: 'template', template: args.template }, connection: args.connection, wait: args.wait, mode: 'launch' }, io);
}

/**
 * Ends, as the README promises, when the Task reports its first status.state (or at once with
 * --no-wait). No status within --timeout (or Ctrl-C before it) is exit 1, NoStatus: the Task is
 * left as it is, and the message says how to kill it.
 */
async function launchOrAttach(args: { ref: TaskRef; connection: ConnectionFlags; wait: boolean; mode: 'launch' | 'attach' }, { out, signal }: CommandIo): Promise<ExitCode> {
  // Every status change is printed; the wait itself is the library's (launch() / waitForStatus()).
  const { task } = await makePrintingTask({ ref: args.ref, connection: args.connection, out, until: () => false });
  const timeoutMs = args.connection.timeoutMs ?? DEFAULT_WAIT_MS;
  try {
    if (args.mode === 'launch') {
      await task.launch({ until: args.wait ? 'first-status' : 'applied', timeoutMs, signal });
    } else {
      await task.attach();
      if (args.wait) await task.waitForStatus({ timeoutMs, signal });
    }
  } catch (error) {
    throw error instanceof TaskError && error.reason === 'NoStatus' ? withKillHint(error, task) : error;
  } finally {
    await task.detach();
  }
  return exitCodeForStatus(task.status);
}

/** The library says the Task is left as it is; on the command line, say how to remove it. */
function withKillHint(error: TaskError, task: KubectlTask): TaskError {
  const namespace = task.taskRef?.namespace;
  const where = namespace === undefined ? '' : ` -n ${namespace}`;
  return new TaskError({ reason: error.reason, taskId: error.taskId, message: `${error.message}: kill it with kubectl-task kill --task-id ${task.id}${where}`, cause: error });
}
