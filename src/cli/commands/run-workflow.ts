import { readFile } from 'node:fs/promises';
import { parseControlWorkflow } from '../../manifest/workflow.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../exit-codes.ts';
import { connectionFlags, parse, templateFlags, type TemplateFlags } from '../flags.ts';
import { enableVerbose } from '../task-context.ts';
import { LAUNCH_FLAGS, launchTask } from './launch.ts';

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
    const { values, positionals } = parse('run-workflow', argv, LAUNCH_FLAGS);
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('run-workflow: expected exactly one WORKFLOW.yaml');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`run-workflow: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const workflow = parseControlWorkflow(text, file);
    const connection = connectionFlags(values);
    enableVerbose(connection);
    if (values['filename'] !== undefined) throw new UsageError('run-workflow: the manifest is command.arguments[0] of the workflow; -f is not accepted');
    const cli = await templateFlags('run-workflow', { ...values, filename: workflow.manifestPath });
    // What the command line says wins over the workflow: --env per variable, the rest per flag.
    const template: TemplateFlags = {
      ...cli,
      env: { ...workflow.env, ...cli.env },
      kubeArguments: cli.kubeArguments.length > 0 ? cli.kubeArguments : workflow.arguments,
      ...(cli.kubeCommand === undefined && workflow.command !== undefined ? { kubeCommand: workflow.command } : {}),
      ...(cli.user === undefined && workflow.user !== undefined ? { user: workflow.user } : {}),
    };
    return launchTask({ template, connection, wait: values['no-wait'] !== true }, io);
  },
};
