import { renderTask } from '../../task/render-task.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, templateFlags } from '../flags.ts';
import { objectName } from '../printers.ts';
import { executorArgs, resolveTaskId } from '../task-context.ts';

export const renderCommand: Command = {
  name: 'render',
  summary: "Fill a template from the task's environment and print the objects it would apply (no cluster needed)",
  usage:
    'kubectl-task render -f TEMPLATE [--env K=V | --env NAME]... [--env-file F] [--allow-missing] [--expand-bare-vars] [-n NS] [-o yaml|json|name]\n' +
    '  --env NAME takes NAME from your environment (left unset if it is not set there); nothing else is taken from it.\n' +
    '  ${VAR}, ${VAR:-default} and $$ (a literal $) are placeholders; a bare $VAR is the container shell\'s and stays as\n' +
    '  written, unless --expand-bare-vars.',
  async run(argv, { out }) {
    const { values } = parse('render', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS });
    const connection = connectionFlags(values);
    const template = await templateFlags('render', values);
    const rendered = await renderTask({
      taskId: await resolveTaskId(template, connection),
      template: { file: template.filename },
      env: template.env,
      placeholders: template.placeholders,
      executor: executorArgs(template),
      allowMissing: template.allowMissing,
      namespace: connection.namespace === undefined ? {} : { explicit: connection.namespace },
    });
    const objects = rendered.manifest.objects;
    if (template.output === 'json') out.stdout(`${JSON.stringify(objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`);
    else if (template.output === 'name') out.stdout(objects.map((o) => `${objectName({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name })}\n`).join(''));
    // Exactly the text launch hands to `kubectl apply -f -` (YAML 1.1-safe: `yes`, `0644` stay
    // strings), so `render | kubectl apply -f -` creates the same objects as launch.
    else out.stdout(rendered.yaml);
    return EXIT.ok;
  },
};
