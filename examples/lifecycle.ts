/**
 * One task through its whole life, as an executor drives it: launch → CONFIGURE → START → STOP →
 * RESET → kill, printing every executor state change.
 *
 *   KUBECONFIG=/path/to/kubeconfig npx tsx examples/lifecycle.ts [NAMESPACE]
 *
 * The cluster needs the Task CRD (`kubectl apply -f manifests/task-crd.yaml`) and something that
 * plays the task manager: `kubectl-task sandbox` has one built in, elsewhere run
 * `kubectl-task fake-controller -n NAMESPACE`. NAMESPACE (or $NAMESPACE) defaults to `default`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kubectl, KubectlTask } from 'kubectl-task';

const here = path.dirname(fileURLToPath(import.meta.url));
const namespace = process.argv[2] ?? process.env['NAMESPACE'] ?? 'default';
const kubeconfig = process.env['KUBECONFIG'];

const task = new KubectlTask({
  id: 'lifecycle-example',
  // Every kubectl call of this task goes to this kubeconfig and namespace.
  kubectl: new Kubectl({ namespace, ...(kubeconfig === undefined ? {} : { kubeconfig }) }),
  template: { file: path.join(here, '..', 'templates', 'example.yaml') },
  // The task's own variables: the template sees these and nothing of this process's environment.
  env: { TASK_NAME: 'lifecycle-example', EXAMPLE_MESSAGE: 'one task, start to end' },
  onStatus: (u) =>
    console.log(`${u.taskId}: ${u.previous ?? '(none)'} → ${u.state}${u.taskState === undefined ? '' : ` (status.state ${u.taskState})`} [${u.reason}]`),
});

try {
  await task.launch(); // TASK_STAGING, TASK_STARTING, then TASK_RUNNING once the Task is in standby
  await task.transition('CONFIGURE', { environment_id: 'example-env' }); // waits for the first status if needed
  await task.transition('START');
  await task.transition('STOP');
  await task.transition('RESET');
} finally {
  // Whatever happened above, the Task and its ConfigMap are removed.
  const final = await task.kill();
  console.log(`final state: ${final}`);
  if (final !== 'TASK_KILLED') process.exitCode = 1;
}
