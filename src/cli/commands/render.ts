import { renderTask } from '../../task/render-task.ts';
import type { Command } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { CONNECTION_FLAGS, TEMPLATE_FLAGS, connectionFlags, parse, templateFlags } from '../flags.ts';
import { executorArgs, resolveTaskId } from '../task-context.ts';

export const renderCommand: Command = {
  name: 'render',
  summary: 'Fill a template from the environment and print the objects it would apply (no cluster needed)',
  usage: 'kubectl-task render -f TEMPLATE [--env K=V]... [--env-file F] [--allow-missing] [-n NS] [-o yaml|json|name]',
  async run(argv, { out }) {
    const { values } = parse('render', argv, { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS });
    const connection = connectionFlags(values);
    const template = await templateFlags('render', values);
    const rendered = await renderTask({
      taskId: await resolveTaskId(template, connection),
      template: { file: template.filename },
      env: template.env,
      baseEnv: { ...process.env },
      executor: executorArgs(template),
      allowMissing: template.allowMissing,
      namespace: connection.namespace === undefined ? {} : { explicit: connection.namespace },
    });
    const objects = rendered.manifest.objects;
    if (template.output === 'json') out.stdout(`${JSON.stringify(objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`);
    else if (template.output === 'name') out.stdout(objects.map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}\n`).join(''));
    // Exactly the text launch hands to `kubectl apply -f -` (YAML 1.1-safe: `yes`, `0644` stay
    // strings), so `render | kubectl apply -f -` creates the same objects as launch.
    else out.stdout(rendered.yaml);
    return EXIT.ok;
  },
};
