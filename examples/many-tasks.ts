/**
 * Several tasks in one process, each with its own environment: what an executor running many
 * tasks does. Each task renders the same template from its own variables only, so no value of one
 * task can leak into another (the original read them all from the shared process environment).
 *
 *   KUBECONFIG=/path/to/kubeconfig npx tsx examples/many-tasks.ts [NAMESPACE]
 *
 * Needs the Task CRD and a task manager, as examples/lifecycle.ts. NAMESPACE (or $NAMESPACE)
 * defaults to `default`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kubectl, KubectlTask } from 'kubectl-task';

const here = path.dirname(fileURLToPath(import.meta.url));
const namespace = process.argv[2] ?? process.env['NAMESPACE'] ?? 'default';
const kubeconfig = process.env['KUBECONFIG'];
const kubectl = new Kubectl({ namespace, ...(kubeconfig === undefined ? {} : { kubeconfig }) });
const template = { file: path.join(here, '..', 'templates', 'example.yaml') };

const roles = ['flp001', 'flp002', 'epn001'];
const tasks = roles.map(
  (role, i) =>
    new KubectlTask({
      id: `many-${role}`,
      kubectl,
      template,
      env: { TASK_NAME: `many-${role}`, EXAMPLE_MESSAGE: `I am ${role}`, OCC_CONTROL_PORT: String(47100 + i) },
      onStatus: (u) =>
        console.log(`${u.taskId}: ${u.previous ?? '(none)'} → ${u.state}${u.taskState === undefined ? '' : ` (status.state ${u.taskState})`} [${u.reason}]`),
    }),
);

try {
  // All at once: each task has its own runner calls, watch and state.
  await Promise.all(tasks.map((t) => t.launch()));
  await Promise.all(tasks.map((t, i) => t.transition('CONFIGURE', { environment_id: 'shared-env', role: roles[i] ?? '' })));
  for (const role of roles) {
    // Each ConfigMap holds its own task's message, rendered from that task's env alone.
    const message = await kubectl.run(['get', `configmap/many-${role}-config`, '-o', 'jsonpath={.data.message}']);
    console.log(`many-${role}-config: ${message.stdout}`);
  }
} finally {
  const finals = await Promise.all(tasks.map((t) => t.kill()));
  console.log(`final states: ${finals.join(' ')}`);
  if (finals.some((s) => s !== 'TASK_KILLED')) process.exitCode = 1;
}
