import { parseEnvList } from '../../render/index.ts';
import { parseTransitionEvent, type TransitionEvent } from '../../task/transitions.ts';
import type { Command, CommandIo, CommandOptions } from '../command.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { TASK_FLAGS, connectionFlags, parse, templateFlags, type CommandLine, type ConnectionFlags } from '../flags.ts';
import { formatStatusUpdate } from '../printers.ts';
import { enableVerbose, makeKubectl, makeTask } from '../task-context.ts';
import { UsageError } from '../usage-error.ts';

const FLAGS = { ...TASK_FLAGS, arg: { type: 'string', multiple: true } } as const;

class TransitionOptions implements CommandOptions {
  private line!: CommandLine<typeof FLAGS>;
  private connection!: ConnectionFlags;
  private event!: TransitionEvent;

  complete(argv: readonly string[]): void {
    this.line = parse('transition', argv, FLAGS);
    this.connection = connectionFlags(this.line.flags);
  }

  validate(): void {
    const { positionals } = this.line;
    const [eventName, ...extra] = positionals;
    if (eventName === undefined || extra.length > 0) {
      throw new UsageError(`transition: expected exactly one EVENT (CONFIGURE, START, STOP, RESET), got ${positionals.length}`);
    }
    const event = parseTransitionEvent(eventName);
    if (event === undefined) throw new UsageError(`transition: unknown event "${eventName}" (CONFIGURE, START, STOP, RESET)`);
    this.event = event;
  }

  async run({ out }: CommandIo): Promise<ExitCode> {
    enableVerbose(this.connection);
    const template = await templateFlags('transition', this.line.flags);
    const args = parseEnvList(this.line.flags.arg);
    // Attaching reports the current state; only what the transition changes is printed.
    let phase: 'attaching' | 'transitioning' = 'attaching';
    const task = await makeTask({
      template,
      connection: this.connection,
      kubectl: makeKubectl(this.connection),
      onStatus: (update) => {
        if (phase === 'transitioning') out.stdout(formatStatusUpdate(update, template.output));
      },
    });
    try {
      await task.attach();
      phase = 'transitioning';
      await task.transition(this.event, args);
    } finally {
      await task.detach();
    }
    return EXIT.ok;
  }
}

export const transitionCommand: Command = {
  name: 'transition',
  summary: 'Move a launched Task: CONFIGURE, START, STOP or RESET; waits for status.state to follow',
  usage: 'kubectl-task transition EVENT -f TEMPLATE [--env K=V]... [--arg K=V]... [--timeout 30s] [-o json]',
  newOptions: () => new TransitionOptions(),
};
