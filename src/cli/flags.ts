/**
 * Flags shared by the task commands, bound in one place, in kubectl's spelling. Parsing is
 * node:util's parseArgs (strict), so unknown flags and missing values fail with a clear message.
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EnvParseError, parseEnvFile, parseEnvList, type PlaceholderStyle } from '../render/index.ts';
import { isValidName } from '../manifest/names.ts';
import { UsageError } from './usage-error.ts';

export type OutputFormat = 'text' | 'json' | 'yaml' | 'name';

export const CONNECTION_FLAGS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  kubectl: { type: 'string' },
  timeout: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const TEMPLATE_FLAGS = {
  filename: { type: 'string', short: 'f' },
  env: { type: 'string', multiple: true, short: 'e' },
  'env-file': { type: 'string', multiple: true },
  'task-id': { type: 'string' },
  'allow-missing': { type: 'boolean' },
  'expand-bare-vars': { type: 'boolean' },
  'kube-command': { type: 'string' },
  'kube-argument': { type: 'string', multiple: true },
  user: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const satisfies ParseArgsConfig['options'];

export interface ConnectionFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly kubectl?: string;
  readonly timeoutMs?: number;
  readonly verbose: boolean;
}

export interface TemplateFlags {
  readonly filename: string;
  /** The task's own variables: --env-file, then --env (K=V, or NAME from the process env). */
  readonly env: Record<string, string>;
  readonly taskId?: string;
  readonly allowMissing: boolean;
  /** --expand-bare-vars: 'braced-and-bare'; otherwise a bare `$NAME` stays text. */
  readonly placeholders: PlaceholderStyle;
  readonly kubeCommand?: string;
  readonly kubeArguments: string[];
  readonly user?: string;
  readonly output: OutputFormat;
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export function parse(command: string, argv: string[], options: ParseArgsConfig['options']): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Values, positionals };
  } catch (error) {
    throw new UsageError(`${command}: ${error instanceof Error ? error.message : String(error)} (see kubectl-task ${command} --help)`);
  }
}

export function connectionFlags(values: Values): ConnectionFlags {
  const timeout = str(values['timeout']);
  const namespace = str(values['namespace']);
  if (namespace !== undefined && !isValidName(namespace, 'label')) {
    throw new UsageError(`-n/--namespace ${JSON.stringify(preview(namespace))} is not a valid namespace name (a lower-case DNS-1123 label: a-z, 0-9 and -, at most 63 characters)`);
  }
  const kubeconfig = str(values['kubeconfig']);
  if (kubeconfig !== undefined) checkKubeconfig(kubeconfig);
  return {
    ...optional('kubeconfig', kubeconfig),
    ...optional('context', str(values['context'])),
    ...optional('namespace', namespace),
    ...optional('kubectl', str(values['kubectl'])),
    ...(timeout === undefined ? {} : { timeoutMs: parseDuration(timeout) }),
    verbose: values['verbose'] === true,
  };
}

/** A --kubeconfig that names no readable file is a mistake in the flag, not the cluster's trouble. */
function checkKubeconfig(file: string): void {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    throw new UsageError(`--kubeconfig ${file}: ${errnoText(error)}`);
  }
  if (!stats.isFile()) throw new UsageError(`--kubeconfig ${file}: not a file`);
}

/** `ENOENT (no such file or directory)`: the code to search for, and what it means. */
export function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const words = code === undefined ? undefined : ERRNO_WORDS[code];
  if (code === undefined) return error instanceof Error ? error.message : String(error);
  return words === undefined ? code : `${code} (${words})`;
}

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
};

function preview(text: string): string {
  return text.length > 70 ? `${text.slice(0, 67)}...` : text;
}

export interface TemplateFlagsIo {
  readonly readText?: (file: string) => Promise<string>;
  /** Where `--env NAME` (no `=`) reads NAME; the process environment at the CLI edge, tests inject. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export async function templateFlags(command: string, values: Values, io: TemplateFlagsIo = {}): Promise<TemplateFlags> {
  const readText = io.readText ?? ((f: string) => readFile(f, 'utf8'));
  const filename = str(values['filename']);
  if (filename === undefined) throw new UsageError(`${command}: -f/--filename <template.yaml> is required`);
  const env: Record<string, string> = {};
  for (const file of strings(values['env-file'])) {
    let text: string;
    try {
      text = await readText(file);
    } catch (error) {
      throw new UsageError(`${command}: cannot read --env-file ${file}: ${errnoText(error)}`);
    }
    Object.assign(env, parseEnvFile(text, file));
  }
  try {
    Object.assign(env, parseEnvList(strings(values['env']), { passThrough: io.env ?? process.env }));
  } catch (error) {
    // parseEnvList names the item (`env item 2: …`); on the command line that item is an --env flag.
    if (error instanceof EnvParseError) throw new UsageError(`${command}: --${error.message}`);
    throw error;
  }
  return {
    filename,
    env,
    ...optional('taskId', str(values['task-id'])),
    allowMissing: values['allow-missing'] === true,
    placeholders: values['expand-bare-vars'] === true ? 'braced-and-bare' : 'braced',
    ...optional('kubeCommand', str(values['kube-command'])),
    kubeArguments: strings(values['kube-argument']),
    ...optional('user', str(values['user'])),
    output: outputFormat(command, str(values['output'])),
  };
}

export function outputFormat(command: string, raw: string | undefined): OutputFormat {
  if (raw === undefined) return 'text';
  if (raw === 'json' || raw === 'yaml' || raw === 'name') return raw;
  throw new UsageError(`${command}: unsupported output format "${raw}" (allowed: json, yaml, name)`);
}

/** kubectl-style durations: `30s`, `2m`, `500ms`, or a bare number of seconds. */
export function parseDuration(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (match === null) throw new UsageError(`invalid --timeout "${raw}" (use e.g. 30s, 2m, 500ms)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(value * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']);
}

export function str(value: Values[string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function strings(value: Values[string]): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
