import { renderTask } from '../../task/render-task.ts';
import type { Command, CommandIo, CommandOptions } from '../command.ts';
import { EXIT, type ExitCode } from '../exit-codes.ts';
import { TASK_FLAGS, connectionFlags, parse, templateFlags, type CommandLine, type ConnectionFlags } from '../flags.ts';
import { formatRendered } from '../printers.ts';
import { renderArgs, resolveTaskId } from '../task-context.ts';

/** Renders a template the way launch would, and prints the objects: no cluster is needed. */
class RenderOptions implements CommandOptions {
  private line!: CommandLine<typeof TASK_FLAGS>;
  private connection!: ConnectionFlags;

  complete(argv: readonly string[]): void {
    this.line = parse('render', argv, TASK_FLAGS);
    this.connection = connectionFlags(this.line.flags);
  }

  validate(): void {
    // Everything render takes is a flag checked as it is read; positionals are ignored.
  }

  async run({ out }: CommandIo): Promise<ExitCode> {
    const template = await templateFlags('render', this.line.flags);
    const rendered = await renderTask({ taskId: await resolveTaskId(template, this.connection), ...renderArgs(template, this.connection) });
    out.stdout(formatRendered(rendered, template.output));
    return EXIT.ok;
  }
}

export const renderCommand: Command = {
  name: 'render',
  summary: "Fill a template from the task's environment and print the objects it would apply (no cluster needed)",
  usage: [
    'kubectl-task render -f TEMPLATE [--env K=V | --env NAME]... [--env-file F] [--allow-missing] [--expand-bare-vars] [-n NS] [-o yaml|json|name]',
    '  --env NAME takes NAME from your environment (left unset if it is not set there); nothing else is taken from it.',
    "  ${VAR}, ${VAR:-default} and $$ (a literal $) are placeholders; a bare $VAR is the container shell's and stays as",
    '  written, unless --expand-bare-vars.',
  ].join('\n'),
  newOptions: () => new RenderOptions(),
};
