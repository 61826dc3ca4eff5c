import { readFile } from 'node:fs/promises';
import { parseControlWorkflow } from '../../manifest/workflow.ts';
import type { Command } from '../command.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse } from '../flags.ts';
import { launchCommand } from './launch.ts';

/**
 * Reads an ECS control workflow (control.mode kubectl_direct | kubectl_fairmq) the way the
 * executor receives it — manifest = command.arguments[0], the rest become KUBE_ARGUMENTS — and
 * launches it.
 */
export const runWorkflowCommand: Command = {
  name: 'run-workflow',
  summary: 'Launch the task an ECS control workflow (*-kube.yaml) describes',
  usage: 'kubectl-task run-workflow WORKFLOW.yaml [--env K=V]... [--no-wait] [-n NS] [-o json]',
  async run(argv, io) {
    const { values, positionals } = parse('run-workflow', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS, 'no-wait': { type: 'boolean' } });
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('run-workflow: expected exactly one WORKFLOW.yaml');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`run-workflow: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const workflow = parseControlWorkflow(text, file);
    connectionFlags(values); // validates the shared flags before anything runs
    const forwarded = [
      ...argv.filter((arg) => arg !== file),
      '-f',
      workflow.manifestPath,
      ...Object.entries(workflow.env).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
      ...(workflow.command === undefined ? [] : ['--kube-command', workflow.command]),
      ...workflow.arguments.flatMap((arg) => ['--kube-argument', arg]),
      ...(workflow.user === undefined || values['user'] !== undefined ? [] : ['--user', workflow.user]),
    ];
    // Flags given on the command line win over the workflow's env: parseEnvList keeps the last.
    const cliEnv = argv.flatMap((arg, i) => ((arg === '--env' || arg === '-e') && argv[i + 1] !== undefined ? ['--env', argv[i + 1] as string] : []));
    const status = await launchCommand.run([...forwarded, ...cliEnv], io);
    return status === EXIT.ok ? EXIT.ok : status;
  },
};
