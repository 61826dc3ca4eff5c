import { readFile } from 'node:fs/promises';
import { MANIFEST_PATH_RULE, parseControlWorkflow } from '../../manifest/workflow.ts';
import type { Command, CommandIo, CommandOptions } from '../command.ts';
import type { ExitCode } from '../exit-codes.ts';
import { connectionFlags, parse, templateFlags, type CommandLine, type ConnectionFlags, type TemplateFlags } from '../flags.ts';
import { enableVerbose } from '../task-context.ts';
import { UsageError } from '../usage-error.ts';
import { LAUNCH_FLAGS, launchTemplate } from './launch.ts';

/**
 * Reads an ECS control workflow (control.mode kubectl_direct | kubectl_fairmq) the way the
 * executor receives it — manifest = command.arguments[0], the rest become KUBE_ARGUMENTS — and
 * launches it. The manifest is found from the workflow file, not the current directory
 * (MANIFEST_PATH_RULE in manifest/workflow.ts says how and why), so the command works from anywhere.
 */
class RunWorkflowOptions implements CommandOptions {
  private line!: CommandLine<typeof LAUNCH_FLAGS>;
  private connection!: ConnectionFlags;
  private file!: string;

  complete(argv: readonly string[]): void {
    this.line = parse('run-workflow', argv, LAUNCH_FLAGS);
    this.connection = connectionFlags(this.line.flags);
  }

  validate(): void {
    const [file, ...extra] = this.line.positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('run-workflow: expected exactly one WORKFLOW.yaml');
    this.file = file;
    if (this.line.flags.filename !== undefined) throw new UsageError('run-workflow: the manifest is command.arguments[0] of the workflow; -f is not accepted');
  }

  async run(io: CommandIo): Promise<ExitCode> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      throw new UsageError(`run-workflow: cannot read ${this.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const workflow = parseControlWorkflow(text, this.file);
    enableVerbose(this.connection);
    const cli = await templateFlags('run-workflow', { ...this.line.flags, filename: workflow.manifestPath });
    // What the command line says wins over the workflow: --env per variable, the rest per flag.
    const template: TemplateFlags = {
      ...cli,
      env: { ...workflow.env, ...cli.env },
      kubeArguments: cli.kubeArguments.length > 0 ? cli.kubeArguments : workflow.arguments,
      ...(cli.kubeCommand === undefined && workflow.command !== undefined ? { kubeCommand: workflow.command } : {}),
      ...(cli.user === undefined && workflow.user !== undefined ? { user: workflow.user } : {}),
    };
    return launchTemplate({ template, connection: this.connection, wait: !this.line.flags.noWait }, io);
  }
}

export const runWorkflowCommand: Command = {
  name: 'run-workflow',
  summary: 'Launch the task an ECS control workflow (*-kube.yaml) describes',
  usage: [
    'kubectl-task run-workflow WORKFLOW.yaml [--env K=V]... [--env-file F] [--user NAME] [--kube-command CMD] [--kube-argument A]...',
    '                          [--no-wait] [--timeout 60s] [--kubeconfig F] [--context C] [-n NS] [-o json]',
    '',
    ...wrap(`The manifest is the workflow's command.arguments[0]: ${MANIFEST_PATH_RULE}.`),
    '',
    'Flags:',
    "  --env K=V          a task variable; wins over the same variable in the workflow's command.env",
    '  --user NAME        the user whose uid, gid and groups fill FLP_UID, FLP_GID and FLP_SUPPLEMENTAL_GROUPS',
    "                     (default: the workflow's command.user, else flp); FLP_UID and FLP_GID given with --env",
    '                     or in command.env win and need no such user on this machine',
    '  --kube-command CMD, --kube-argument A',
    '                     KUBE_COMMAND and KUBE_ARGUMENTS instead of command.value and command.arguments[1:]',
    '  --no-wait          return once applied, without waiting for the first status',
  ].join('\n'),
  newOptions: () => new RunWorkflowOptions(),
};

/** Words to lines of at most `width` characters, for the help text. */
function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
