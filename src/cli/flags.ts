/**
 * The command line, typed. Each command declares its flags as a table in kubectl's spelling
 * (`--no-wait`); parse() reads argv with node:util's parseArgs (strict: an unknown flag or a
 * missing value fails with a clear message) and hands back every flag under its camelCase name
 * with its type: a boolean is true or false, a repeatable flag a string[], any other a string or
 * undefined (`flags.noWait`, `flags.env`, `flags.delayMs`). The readers below turn the shared
 * groups into the objects the commands work with (ConnectionFlags, TemplateFlags).
 */
import { type Stats, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isValidName } from '../manifest/names.ts';
import { EnvParseError, parseEnvFile, parseEnvList, type PlaceholderStyle } from '../render/index.ts';
import { UsageError } from './usage-error.ts';
import { taskIdProblem } from '../task/task-id.ts';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}
export type FlagTable = Readonly<Record<string, FlagSpec>>;

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type FlagValue<F extends FlagSpec> = F extends { readonly type: 'boolean' } ? boolean : F extends { readonly multiple: true } ? string[] : string | undefined;
/** The flags of a table under their camelCase names, typed. */
export type Flags<T extends FlagTable> = { readonly [K in keyof T & string as CamelCase<K>]: FlagValue<T[K]> };

export interface CommandLine<T extends FlagTable> {
  readonly flags: Flags<T>;
  readonly positionals: string[];
  /** The flags given on the command line, by their long name (`env-file`). */
  readonly given: ReadonlySet<string>;
}

export function parse<const T extends FlagTable>(command: string, argv: readonly string[], table: T): CommandLine<T> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: table, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${command}: ${error instanceof Error ? error.message : String(error)} (see kubectl-task ${command} --help)`);
  }
  const flags: Record<string, boolean | string[] | string | undefined> = {};
  for (const [name, spec] of Object.entries(table)) {
    const raw = parsed.values[name];
    const key = name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if (spec.type === 'boolean') flags[key] = raw === true;
    else if (spec.multiple === true) flags[key] = Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
    else flags[key] = typeof raw === 'string' ? raw : undefined;
  }
  return { flags: flags as Flags<T>, positionals: parsed.positionals, given: new Set(Object.keys(parsed.values)) };
}

export type OutputFormat = 'text' | 'json' | 'yaml' | 'name';

export const CONNECTION_FLAGS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  kubectl: { type: 'string' },
  timeout: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagTable;

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
} as const satisfies FlagTable;

/** What the task commands name a task with: the connection and the template flags. */
export const TASK_FLAGS = { ...CONNECTION_FLAGS, ...TEMPLATE_FLAGS } as const satisfies FlagTable;

/** The connection flags as read (serve takes them without --timeout). */
export type ConnectionFlagValues = Omit<Flags<typeof CONNECTION_FLAGS>, 'timeout' | 'help'> & { readonly timeout?: string | undefined };
export type TemplateFlagValues = Flags<typeof TEMPLATE_FLAGS>;

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

export function connectionFlags(flags: ConnectionFlagValues): ConnectionFlags {
  const { namespace, kubeconfig, timeout } = flags;
  if (namespace !== undefined && !isValidName(namespace, 'label')) {
    throw new UsageError(
      `-n/--namespace ${JSON.stringify(preview(namespace))} is not a valid namespace name ` +
        '(a lower-case DNS-1123 label: a-z, 0-9 and -, at most 63 characters)',
    );
  }
  if (kubeconfig !== undefined) checkKubeconfig(kubeconfig);
  return {
    ...optional('kubeconfig', kubeconfig),
    ...optional('context', flags.context),
    ...optional('namespace', namespace),
    ...optional('kubectl', flags.kubectl),
    ...(timeout === undefined ? {} : { timeoutMs: parseDuration(timeout) }),
    verbose: flags.verbose,
  };
}

/** A --kubeconfig that names no readable file is a mistake in the flag, not the cluster's trouble. */
function checkKubeconfig(file: string): void {
  let stats: Stats;
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

/** The template and its variables: -f is required; --env-file files are read, then --env items. */
export async function templateFlags(command: string, flags: TemplateFlagValues, io: TemplateFlagsIo = {}): Promise<TemplateFlags> {
  const readText = io.readText ?? ((f: string) => readFile(f, 'utf8'));
  const { filename } = flags;
  if (filename === undefined) throw new UsageError(`${command}: -f/--filename <template.yaml> is required`);
  const taskIdIssue = flags.taskId === undefined ? undefined : taskIdProblem(flags.taskId);
  if (taskIdIssue !== undefined) throw new UsageError(`${command}: --task-id ${taskIdIssue}`);
  const env: Record<string, string> = {};
  for (const file of flags.envFile) {
    let text: string;
    try {
      text = await readText(file);
    } catch (error) {
      throw new UsageError(`${command}: cannot read --env-file ${file}: ${errnoText(error)}`);
    }
    Object.assign(env, parseEnvFile(text, file));
  }
  try {
    Object.assign(env, parseEnvList(flags.env, { passThrough: io.env ?? process.env }));
  } catch (error) {
    // parseEnvList names the item (`env item 2: …`); on the command line that item is an --env flag.
    if (error instanceof EnvParseError) throw new UsageError(`${command}: --${error.message}`);
    throw error;
  }
  return {
    filename,
    env,
    ...optional('taskId', flags.taskId),
    allowMissing: flags.allowMissing,
    placeholders: flags.expandBareVars ? 'braced-and-bare' : 'braced',
    ...optional('kubeCommand', flags.kubeCommand),
    kubeArguments: flags.kubeArgument,
    ...optional('user', flags.user),
    output: outputFormat(command, flags.output),
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

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
