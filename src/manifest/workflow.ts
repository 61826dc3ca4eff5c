/**
 * ECS control workflows (task templates, `control-workflows/*-kube.yaml`) as the original
 * KubectlTask consumed them: control.mode kubectl_direct|kubectl_fairmq and command.arguments whose
 * first element is the manifest path; the remaining arguments become KUBE_ARGUMENTS.
 *
 * ECS resolves `{{ }}` expressions before an executor sees a workflow; we run workflows directly,
 * so an unresolved `{{` in any field we consume is an error naming that field.
 *
 * Where the manifest is (MANIFEST_PATH_RULE, also in `run-workflow --help`): an absolute
 * command.arguments[0] is used as is; a relative one is looked up in the workflow file's directory,
 * then in its parent, and never in the current directory. ECS reads a workflow together with the
 * repository that holds it, not from wherever a command happens to run: its task templates sit
 * one level below the repository root (here control-workflows/, in ECS tasks/) and name paths
 * relative to that root (`templates/readout.yaml`), while a workflow kept next to its manifest
 * names it by its bare file name. The same workflow then launches from any directory, and a
 * missing manifest is reported with both places looked at instead of an ENOENT for one of them.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { EnvParseError, parseEnvList } from '../render/env-list.ts';
import { ManifestError } from './errors.ts';
import { isJsonObject } from '../json.ts';

export type ControlMode = 'kubectl_direct' | 'kubectl_fairmq';

/** How command.arguments[0] is found, for help texts and errors. */
export const MANIFEST_PATH_RULE =
  "an absolute command.arguments[0] is used as is; a relative one is looked up in the workflow file's directory, " +
  'then in its parent (the repository root when workflows sit in control-workflows/), never in the current directory';

export interface ControlWorkflow {
  readonly name: string;
  readonly mode: ControlMode;
  /** Absolute path of arguments[0]. */
  readonly manifestPath: string;
  /** command.value, the command line the container runs (KUBE_COMMAND). */
  readonly command?: string;
  /** command.arguments after the manifest path (KUBE_ARGUMENTS). */
  readonly arguments: string[];
  readonly env: Record<string, string>;
  readonly user?: string;
  readonly shell?: boolean;
  readonly properties: Record<string, string>;
}

export interface ParseWorkflowOptions {
  /** Resolves a relative workflow `file` (the manifest is then found from there); defaults to process.cwd(). */
  readonly cwd?: string;
  /** Defaults to fs.existsSync. */
  readonly exists?: (path: string) => boolean;
}

/** A ManifestError (reason 'ManifestError') so callers handle one family of input errors. */
export class WorkflowError extends ManifestError {
  override readonly name = 'WorkflowError';
  constructor(file: string, message: string) {
    super({ message: `${file}: ${message}`, file });
  }
}

const MODES: readonly ControlMode[] = ['kubectl_direct', 'kubectl_fairmq'];

export function parseControlWorkflow(text: string, file: string, options: ParseWorkflowOptions = {}): ControlWorkflow {
  const fail = (message: string): WorkflowError => new WorkflowError(file, message);
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: false });
  } catch (e) {
    throw fail(`YAML syntax error: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}`);
  }
  if (!isJsonObject(doc)) throw fail('expected a mapping (an ECS task template)');

  const name = optionalString(doc['name'], 'name', fail) ?? basename(file).replace(/(-kube)?\.ya?ml$/, '');
  const control = doc['control'];
  const modeValue = isJsonObject(control) ? control['mode'] : undefined;
  if (typeof modeValue !== 'string' || !(MODES as readonly string[]).includes(modeValue)) {
    throw fail(`control.mode must be one of ${MODES.join(', ')} (got ${JSON.stringify(modeValue ?? null)})`);
  }
  const mode = modeValue as ControlMode;

  const command = doc['command'];
  if (!isJsonObject(command)) throw fail('command is missing (command.arguments[0] must be the manifest path)');
  const args = stringList(command['arguments'], 'command.arguments', fail);
  const first = args[0];
  if (first === undefined || first === '') throw fail('command.arguments[0] (the manifest path) is missing');
  const envItems = stringList(command['env'], 'command.env', fail);
  let env: Record<string, string>;
  try {
    env = parseEnvList(envItems);
  } catch (e) {
    if (e instanceof EnvParseError) throw fail(`command.${e.message}`);
    throw e;
  }
  const shellValue = command['shell'];
  if (shellValue !== undefined && shellValue !== null && typeof shellValue !== 'boolean') {
    throw fail('command.shell must be true or false');
  }
  const properties = stringMap(doc['properties'], 'properties', fail);

  const result: ControlWorkflow = {
    name,
    mode,
    manifestPath: resolveManifest(first, file, options, fail),
    arguments: args.slice(1),
    env,
    properties,
    ...optionalField('command', optionalString(command['value'], 'command.value', fail)),
    ...optionalField('user', optionalString(command['user'], 'command.user', fail)),
    ...optionalField('shell', typeof shellValue === 'boolean' ? shellValue : undefined),
  };
  return result;
}

/** MANIFEST_PATH_RULE (see the header comment for why). */
function resolveManifest(path: string, file: string, options: ParseWorkflowOptions, fail: (m: string) => WorkflowError): string {
  if (isAbsolute(path)) return path;
  const exists = options.exists ?? existsSync;
  const workflowDir = dirname(resolve(options.cwd ?? process.cwd(), file));
  // A Set: at the filesystem root the parent is the directory itself.
  const candidates = [...new Set([resolve(workflowDir, path), resolve(workflowDir, '..', path)])];
  const found = candidates.find((candidate) => exists(candidate));
  if (found !== undefined) return found;
  throw fail(
    `command.arguments[0] "${path}" not found: looked in ${candidates.join(' and ')} ` +
      "(a relative manifest path is taken from the workflow's directory, then its parent)",
  );
}

function optionalField<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function checkResolved(value: string, field: string, fail: (m: string) => WorkflowError): string {
  if (value.includes('{{')) {
    throw fail(`${field} holds an unresolved ECS expression ({{ }}); ECS resolves these upstream, give a concrete value`);
  }
  return value;
}

function scalarString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function optionalString(value: unknown, field: string, fail: (m: string) => WorkflowError): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = scalarString(value);
  if (s === undefined) throw fail(`${field} must be a string`);
  return checkResolved(s, field, fail);
}

function stringList(value: unknown, field: string, fail: (m: string) => WorkflowError): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fail(`${field} must be a list`);
  return value.map((item: unknown, i) => {
    const s = scalarString(item);
    if (s === undefined) throw fail(`${field}[${i}] must be a string`);
    return checkResolved(s, `${field}[${i}]`, fail);
  });
}

function stringMap(value: unknown, field: string, fail: (m: string) => WorkflowError): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw fail(`${field} must be a map`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    const s = v === null ? '' : scalarString(v);
    if (s === undefined) throw fail(`${field}.${k} must be a string`);
    out[k] = checkResolved(s, `${field}.${k}`, fail);
  }
  return out;
}
