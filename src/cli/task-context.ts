/**
 * Turns parsed flags into the objects the task commands work with: one Kubectl runner and one
 * KubectlTask. Shared by render, launch, transition, status, watch, kill and run-workflow.
 */
import path from 'node:path';
import createDebug from 'debug';
import { Kubectl } from '../kubectl/runner.ts';
import { renderTask, type RenderTaskArgs } from '../task/render-task.ts';
import { KubectlTask, type StatusUpdate } from '../task/kubectl-task.ts';
import { effectiveNamespace, findTask } from '../task/by-id.ts';
import { TaskError } from '../task/errors.ts';
import { LABEL_TASK_ID } from '../manifest/index.ts';
import type { ExecutorState } from '../task/states.ts';
import type { ExecutorEnvArgs } from '../render/executor-env.ts';
import type { ConnectionFlags, TemplateFlags } from './flags.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { formatStatusUpdate, type Out } from './printers.ts';
import { outputOf, type TaskRef } from './task-ref.ts';

export function enableVerbose(flags: ConnectionFlags): void {
  if (flags.verbose) createDebug.enable(['kubectl-task:*', process.env['DEBUG']].filter(Boolean).join(','));
}

export function makeKubectl(flags: ConnectionFlags): Kubectl {
  return new Kubectl({
    ...(flags.kubectl === undefined ? (process.env['KUBECTL'] ? { binary: process.env['KUBECTL'] } : {}) : { binary: flags.kubectl }),
    ...(flags.kubeconfig === undefined ? {} : { kubeconfig: flags.kubeconfig }),
    ...(flags.context === undefined ? {} : { context: flags.context }),
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
  });
}

export function executorArgs(template: TemplateFlags): ExecutorEnvArgs {
  return {
    ...(template.kubeCommand === undefined ? {} : { command: template.kubeCommand }),
    arguments: template.kubeArguments,
    ...(template.user === undefined ? {} : { user: template.user }),
  };
}

/**
 * The task id labels every object. Unless given, it is the Task's own name, so separate CLI calls
 * (launch now, kill later) agree on it without remembering anything.
 */
export async function resolveTaskId(template: TemplateFlags, connection: ConnectionFlags): Promise<string> {
  if (template.taskId !== undefined) return template.taskId;
  const probe = await renderTask({ taskId: path.basename(template.filename).replace(/\.ya?ml$/, ''), ...renderArgs(template, connection) });
  return probe.manifest.task.metadata.name;
}

/** What the flags give renderTask: the template, its variables and the namespace of -n. */
export function renderArgs(template: TemplateFlags, connection: ConnectionFlags): Omit<RenderTaskArgs, 'taskId'> {
  return {
    template: { file: template.filename },
    env: template.env,
    placeholders: template.placeholders,
    executor: executorArgs(template),
    allowMissing: template.allowMissing,
    ...(connection.namespace === undefined ? {} : { namespace: { explicit: connection.namespace } }),
  };
}

export async function makeTask(args: {
  template: TemplateFlags;
  connection: ConnectionFlags;
  kubectl: Kubectl;
  onStatus?: (update: StatusUpdate) => void;
  env?: Record<string, string>;
  executor?: ExecutorEnvArgs;
}): Promise<KubectlTask> {
  const id = await resolveTaskId(args.template, args.connection);
  return new KubectlTask({
    id,
    kubectl: args.kubectl,
    template: { file: args.template.filename },
    env: { ...args.template.env, ...args.env },
    placeholders: args.template.placeholders,
    executor: args.executor ?? executorArgs(args.template),
    allowMissing: args.template.allowMissing,
    ...(args.connection.namespace === undefined ? {} : { namespace: { explicit: args.connection.namespace } }),
    ...timeouts(args.connection),
    ...(args.onStatus === undefined ? {} : { onStatus: args.onStatus }),
  });
}

/** --timeout bounds every wait of a task command: launch's first status, a transition, a kill. */
function timeouts(connection: ConnectionFlags): { transitionTimeoutMs?: number; killTimeoutMs?: number; launchTimeoutMs?: number } {
  const ms = connection.timeoutMs;
  return ms === undefined ? {} : { transitionTimeoutMs: ms, killTimeoutMs: ms, launchTimeoutMs: ms };
}

/**
 * The task a TaskRef names: from its template, or (no template) by its id; a Task named
 * task/NAME is found first and then followed by the id its label carries.
 */
export async function makeTaskFor(
  ref: TaskRef,
  args: { connection: ConnectionFlags; kubectl: Kubectl; onStatus?: (update: StatusUpdate) => void },
): Promise<KubectlTask> {
  const common = { kubectl: args.kubectl, ...timeouts(args.connection), ...(args.onStatus === undefined ? {} : { onStatus: args.onStatus }) };
  switch (ref.kind) {
    case 'template':
      return makeTask({ template: ref.template, ...args });
    case 'task-id':
      return KubectlTask.byId({ id: ref.taskId, ...common, ...(args.connection.namespace === undefined ? {} : { namespace: args.connection.namespace }) });
    case 'name': {
      const { taskId, namespace } = await taskIdOfName(args.kubectl, ref.name, args.connection.namespace);
      return KubectlTask.byId({ id: taskId, ...common, namespace });
    }
  }
}

/** The task id (label value) of the Task task/NAME; TaskGone when there is none, OwnedElsewhere when kubectl-task did not launch it. */
export async function taskIdOfName(kubectl: Kubectl, name: string, namespace: string | undefined): Promise<{ taskId: string; namespace: string }> {
  await kubectl.ensureVersion();
  const object = await findTask(kubectl, { kind: 'name', name }, namespace);
  if (object === undefined) {
    throw new TaskError({ reason: 'TaskGone', taskId: name, message: `task/${name} not found in namespace ${await effectiveNamespace(kubectl, namespace)}` });
  }
  const found = object.metadata.namespace ?? (await effectiveNamespace(kubectl, namespace));
  const taskId = object.metadata.labels?.[LABEL_TASK_ID];
  if (taskId === undefined || taskId === '') {
    const message = `task/${name} in namespace ${found} has no ${LABEL_TASK_ID} label: kubectl-task did not launch it`;
    throw new TaskError({ reason: 'OwnedElsewhere', taskId: name, message });
  }
  return { taskId, namespace: found };
}

/**
 * A task whose every status change is printed, and a wait for the first change `until` accepts
 * (or Ctrl-C, or the timeout): what launch and watch share.
 */
export async function makePrintingTask(args: {
  ref: TaskRef;
  connection: ConnectionFlags;
  out: Out;
  until: (update: StatusUpdate) => boolean;
}): Promise<{ task: KubectlTask; waitUntil: (signal: AbortSignal, timeoutMs?: number) => Promise<void> }> {
  let reached!: () => void;
  const reachedOnce = new Promise<void>((resolve) => (reached = resolve));
  const output = outputOf(args.ref);
  const task = await makeTaskFor(args.ref, {
    connection: args.connection,
    kubectl: makeKubectl(args.connection),
    onStatus: (update) => {
      args.out.stdout(formatStatusUpdate(update, output));
      if (args.until(update)) reached();
    },
  });
  return {
    task,
    async waitUntil(signal, timeoutMs) {
      const timer = timeoutMs === undefined ? undefined : setTimeout(reached, timeoutMs);
      signal.addEventListener('abort', reached, { once: true });
      await reachedOnce;
      clearTimeout(timer);
    },
  };
}

/** Exit code of a command that reports a task's state: 1 when the task failed or vanished. */
export function exitCodeForStatus(state: ExecutorState | undefined): ExitCode {
  return state === 'TASK_FAILED' || state === 'TASK_LOST' ? EXIT.taskFailed : EXIT.ok;
}
