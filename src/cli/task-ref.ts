/**
 * Which task a command works on: a template (`-f T` with its variables, as launch needs), or
 * a task launched earlier, named by its id (`--task-id ID`) or its Task (`task/NAME`), which
 * is all status, watch, kill and `launch --attach` need. flags.ts binds `--task-id` as the
 * override of the id used with -f; without -f it names the task by itself.
 *
 * Two steps, as the commands take them: chooseTaskRef (validate) decides from the command line
 * alone which way the task is named; resolveTaskRef (run) reads the template's variables.
 */
import { isValidName } from '../manifest/names.ts';
import { parseTaskName } from '../task/by-id.ts';
import { taskIdProblem } from '../task/task-id.ts';
import { templateFlags, type CommandLine, type OutputFormat, type TASK_FLAGS, type TemplateFlags } from './flags.ts';
import { UsageError } from './usage-error.ts';

export type TaskRef =
  | { readonly kind: 'template'; readonly template: TemplateFlags }
  | { readonly kind: 'task-id'; readonly taskId: string; readonly output: OutputFormat }
  | { readonly kind: 'name'; readonly name: string; readonly output: OutputFormat };

/** How the command line names the task; a template's variables are not read yet. */
export type TaskRefChoice = { readonly kind: 'template' } | Exclude<TaskRef, { readonly kind: 'template' }>;

/** Flags that only mean something with a template: given without -f they would be ignored, so they are refused. */
const TEMPLATE_ONLY = ['env', 'env-file', 'allow-missing', 'expand-bare-vars', 'kube-command', 'kube-argument', 'user'] as const;

/**
 * `-f T` (and its flags), else `task/NAME` as the one positional, else `--task-id ID`. Exactly
 * one way of naming the task is accepted; a second one is refused rather than silently ignored.
 */
export function chooseTaskRef(command: string, line: CommandLine<typeof TASK_FLAGS>, output: OutputFormat): TaskRefChoice {
  const { flags, positionals, given } = line;
  const { taskId } = flags;
  const [positional, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`${command}: expected at most one task/NAME, got ${positionals.join(' ')}`);
  if (flags.filename !== undefined) {
    if (positional !== undefined) throw new UsageError(`${command}: give either -f TEMPLATE or ${positional}, not both`);
    return { kind: 'template' };
  }
  const templateOnly = TEMPLATE_ONLY.filter((flag) => given.has(flag));
  if (templateOnly.length > 0) {
    throw new UsageError(`${command}: --${templateOnly.join(', --')}: only with -f TEMPLATE (a task named by --task-id or task/NAME has no template)`);
  }
  if (positional !== undefined) {
    if (taskId !== undefined) throw new UsageError(`${command}: give either --task-id ${taskId} or ${positional}, not both`);
    const name = parseTaskName(positional);
    if (name === undefined) throw new UsageError(`${command}: "${positional}" is not a Task (expected task/NAME)`);
    // Checked here, not by the server: kubectl would send `..` or a space on as a path.
    if (!isValidName(name)) {
      throw new UsageError(`${command}: "${name}" is not a valid Task name (lower-case letters, digits, '-' and '.', at most 253)`);
    }
    return { kind: 'name', name, output };
  }
  if (taskId !== undefined) {
    const problem = taskIdProblem(taskId);
    if (problem !== undefined) throw new UsageError(`${command}: --task-id ${problem}`);
    return { kind: 'task-id', taskId, output };
  }
  throw new UsageError(`${command}: name the task: -f TEMPLATE [--env K=V]..., --task-id ID or task/NAME`);
}

/** The task the choice names; for a template, with its variables read (--env-file, --env). */
export async function resolveTaskRef(command: string, choice: TaskRefChoice, line: CommandLine<typeof TASK_FLAGS>): Promise<TaskRef> {
  return choice.kind === 'template' ? { kind: 'template', template: await templateFlags(command, line.flags) } : choice;
}

export function outputOf(ref: TaskRef): OutputFormat {
  return ref.kind === 'template' ? ref.template.output : ref.output;
}
