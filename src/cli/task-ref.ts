/**
 * Which task a command works on: a template (`-f T` with its variables, as launch needs), or
 * a task launched earlier, named by its id (`--task-id ID`) or its Task (`task/NAME`), which
 * is all status, watch, kill and `launch --attach` need. flags.ts binds `--task-id` as the
 * override of the id used with -f; without -f it names the task by itself.
 */
import { isValidName } from '../manifest/names.ts';
import { parseTaskName } from '../task/by-id.ts';
import { UsageError } from './usage-error.ts';
import { outputFormat, str, templateFlags, type OutputFormat, type TemplateFlags, type parse } from './flags.ts';

type Values = ReturnType<typeof parse>['values'];

export type TaskRef =
  | { readonly kind: 'template'; readonly template: TemplateFlags }
  | { readonly kind: 'task-id'; readonly taskId: string; readonly output: OutputFormat }
  | { readonly kind: 'name'; readonly name: string; readonly output: OutputFormat };

/** Flags that only mean something with a template: given without -f they would be ignored, so they are refused. */
const TEMPLATE_ONLY = ['env', 'env-file', 'allow-missing', 'expand-bare-vars', 'kube-command', 'kube-argument', 'user'] as const;

/**
 * `-f T` (and its flags), else `task/NAME` as the one positional, else `--task-id ID`. Exactly
 * one way of naming the task is accepted; a second one is refused rather than silently ignored.
 */
export async function taskRefFlags(command: string, values: Values, positionals: readonly string[]): Promise<TaskRef> {
  const output = outputFormat(command, str(values['output']));
  const taskId = str(values['task-id']);
  const [positional, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`${command}: expected at most one task/NAME, got ${positionals.join(' ')}`);
  if (str(values['filename']) !== undefined) {
    if (positional !== undefined) throw new UsageError(`${command}: give either -f TEMPLATE or ${positional}, not both`);
    return { kind: 'template', template: await templateFlags(command, values) };
  }
  const given = TEMPLATE_ONLY.filter((flag) => values[flag] !== undefined);
  if (given.length > 0) throw new UsageError(`${command}: --${given.join(', --')}: only with -f TEMPLATE (a task named by --task-id or task/NAME has no template)`);
  if (positional !== undefined) {
    if (taskId !== undefined) throw new UsageError(`${command}: give either --task-id ${taskId} or ${positional}, not both`);
    const name = parseTaskName(positional);
    if (name === undefined) throw new UsageError(`${command}: "${positional}" is not a Task (expected task/NAME)`);
    // Checked here, not by the server: kubectl would send `..` or a space on as a path.
    if (!isValidName(name)) throw new UsageError(`${command}: "${name}" is not a valid Task name (lower-case letters, digits, '-' and '.', at most 253)`);
    return { kind: 'name', name, output };
  }
  if (taskId !== undefined) {
    if (taskId.trim() === '') throw new UsageError(`${command}: --task-id must not be empty`);
    return { kind: 'task-id', taskId, output };
  }
  throw new UsageError(`${command}: name the task: -f TEMPLATE [--env K=V]..., --task-id ID or task/NAME`);
}

export function outputOf(ref: TaskRef): OutputFormat {
  return ref.kind === 'template' ? ref.template.output : ref.output;
}
