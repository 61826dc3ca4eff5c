import { TaskError } from '../../task/errors.ts';
import type { KubectlTask } from '../../task/kubectl-task.ts';
import type { Command, CommandIo, CommandOptions } from '../command.ts';
import type { ExitCode } from '../exit-codes.ts';
import { TASK_FLAGS, connectionFlags, outputFormat, parse, templateFlags, type CommandLine, type ConnectionFlags, type TemplateFlags } from '../flags.ts';
import { enableVerbose, exitCodeForStatus, makePrintingTask } from '../task-context.ts';
import { chooseTaskRef, resolveTaskRef, type TaskRef, type TaskRefChoice } from '../task-ref.ts';
import { UsageError } from '../usage-error.ts';

/** Shared with run-workflow, which has no --attach (a workflow always launches). */
export const LAUNCH_FLAGS = { ...TASK_FLAGS, 'no-wait': { type: 'boolean' } } as const;
const FLAGS = { ...LAUNCH_FLAGS, attach: { type: 'boolean' } } as const;

const DEFAULT_WAIT_MS = 60_000;

class LaunchOptions implements CommandOptions {
  private line!: CommandLine<typeof FLAGS>;
  private connection!: ConnectionFlags;
  /** With --attach: the launched task to follow. */
  private attach: TaskRefChoice | undefined;

  complete(argv: readonly string[]): void {
    this.line = parse('launch', argv, FLAGS);
    this.connection = connectionFlags(this.line.flags);
  }

  validate(): void {
    const { flags, positionals } = this.line;
    if (flags.attach) {
      this.attach = chooseTaskRef('launch', this.line, outputFormat('launch', flags.output));
    } else if (positionals.length > 0) {
      throw new UsageError(`launch: unexpected ${positionals.join(' ')}: only launch --attach follows a launched task; launch needs -f TEMPLATE`);
    }
  }

  async run(io: CommandIo): Promise<ExitCode> {
    enableVerbose(this.connection);
    const wait = !this.line.flags.noWait;
    if (this.attach !== undefined) {
      const ref = await resolveTaskRef('launch', this.attach, this.line);
      return launchOrAttach({ ref, connection: this.connection, wait, mode: 'attach' }, io);
    }
    return launchTemplate({ template: await templateFlags('launch', this.line.flags), connection: this.connection, wait }, io);
  }
}

export const launchCommand: Command = {
  name: 'launch',
  summary: 'Render a template, apply it, and wait until the task manager reports the Task (--attach: follow one launched already)',
  usage: [
    'kubectl-task launch -f TEMPLATE [--env K=V]... [--no-wait] [--timeout 60s] [-n NS] [-o json]',
    '       kubectl-task launch --attach (-f TEMPLATE [--env K=V]... | --task-id ID | task/NAME) [--timeout 60s] [-n NS] [-o json]',
    '  A Task of the same task id that exists already is never changed: launch fails (AlreadyLaunched); --attach follows it.',
  ].join('\n'),
  newOptions: () => new LaunchOptions(),
};

/** Launches one task and, unless told not to, waits for its first status (shared with run-workflow). */
export function launchTemplate(args: { template: TemplateFlags; connection: ConnectionFlags; wait: boolean }, io: CommandIo): Promise<ExitCode> {
  return launchOrAttach({ ref: { kind: 'template', template: args.template }, connection: args.connection, wait: args.wait, mode: 'launch' }, io);
}

/**
 * Ends, as the README promises, when the Task reports its first status.state (or at once with
 * --no-wait). No status within --timeout (or Ctrl-C before it) is exit 1, NoStatus: the Task is
 * left as it is, and the message says how to kill it.
 */
async function launchOrAttach(
  args: { ref: TaskRef; connection: ConnectionFlags; wait: boolean; mode: 'launch' | 'attach' },
  { out, signal }: CommandIo,
): Promise<ExitCode> {
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
  const message = `${error.message}: kill it with kubectl-task kill --task-id ${task.id}${where}`;
  return new TaskError({ reason: error.reason, taskId: error.taskId, message, cause: error });
}
