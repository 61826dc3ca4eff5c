/** Output formatting, kept apart from the commands' logic (kubectl's printers model). */
import { stringify } from 'yaml';
import { TASK_API_VERSION, TASK_KIND } from '../manifest/index.ts';
import type { StatusUpdate } from '../task/kubectl-task.ts';
import type { RenderedTask } from '../task/render-task.ts';
import type { ExecutorState } from '../task/states.ts';
import type { OutputFormat } from './flags.ts';

export interface Out {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processOut: Out = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** One line per status change; JSON lines for machines (`-o json`). */
export function formatStatusUpdate(update: StatusUpdate, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(update)}\n`;
  if (format === 'yaml') return `---\n${stringify(update)}`;
  const taskState = update.taskState === undefined ? '' : `  ${update.previousTaskState ?? '(none)'} → ${update.taskState}`;
  const message = update.message === undefined ? '' : `  (${update.message})`;
  return `${update.taskId}  ${update.state}${taskState}  [${update.reason}]${message}\n`;
}

/**
 * What render prints: `-o json` the object (several: a List), `-o name` one name a line, and
 * otherwise exactly the text launch hands to `kubectl apply -f -` (YAML 1.1-safe: `yes`, `0644`
 * stay strings), so `render | kubectl apply -f -` creates the same objects as launch.
 */
export function formatRendered(rendered: RenderedTask, format: OutputFormat): string {
  const objects = rendered.manifest.objects;
  if (format === 'json') return `${JSON.stringify(objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects }, null, 2)}\n`;
  if (format === 'name') return objects.map((o) => `${objectName({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name })}\n`).join('');
  return rendered.yaml;
}

export function formatValue(value: unknown, format: OutputFormat): string {
  if (format === 'yaml') return stringify(value);
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * kubectl's `-o name` form: `kind.group/name`, or `kind/name` for the core group (no version:
 * `task.aliecs.alice.cern/t1`, `configmap/t1-config`). render and status both print it, so their
 * output can be piped into kubectl and into each other.
 */
export function objectName(object: { readonly apiVersion: string; readonly kind: string; readonly name: string }): string {
  const slash = object.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : `.${object.apiVersion.slice(0, slash)}`;
  return `${object.kind.toLowerCase()}${group}/${object.name}`;
}

export interface TaskSummary {
  /** The task-id label's value; undefined for a Task found by name that kubectl-task did not launch. */
  readonly taskId: string | undefined;
  /** undefined when no Task was found by id (nothing to name). */
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  readonly desired: string | undefined;
  readonly actual: string | undefined;
  readonly executorState: ExecutorState | undefined;
  readonly error: string | undefined;
}

export function formatSummary(summary: TaskSummary, format: OutputFormat): string {
  if (format === 'json' || format === 'yaml') return formatValue(summary, format);
  if (format === 'name') return summary.name === undefined ? '' : `${objectName({ apiVersion: TASK_API_VERSION, kind: TASK_KIND, name: summary.name })}\n`;
  const rows = [
    ['TASK', 'NAMESPACE', 'DESIRED', 'ACTUAL', 'EXECUTOR-STATE', 'ERROR'],
    [
      summary.taskId ?? '<none>',
      summary.namespace ?? '',
      summary.desired ?? '<none>',
      summary.actual ?? '<none>',
      summary.executorState ?? '<none>',
      summary.error ?? '',
    ],
  ];
  return table(rows);
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return `${rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
