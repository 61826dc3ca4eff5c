/**
 * Template + task environment → the exact objects a task owns. Pure apart from reading the
 * template file: the environment is a fresh object per task, never process.env, so two tasks in
 * one executor cannot see each other's variables (defect 1 of the original).
 */
import { readFile } from 'node:fs/promises';
import createDebug from 'debug';
import { secretValuesOf } from '../render/redact.ts';
import {
  RenderError,
  executorEnv,
  identityFromEnv,
  redactForLog,
  renderTemplate,
  taskEnvironment,
  toKubectlYaml,
  type ExecutorEnvArgs,
  type PlaceholderStyle,
  type RenderResult,
} from '../render/index.ts';
import { buildManifest, type Manifest } from '../manifest/index.ts';
import type { JsonObject } from '../json.ts';

const debug = createDebug('kubectl-task:render');

export type TemplateSource = { readonly file: string } | { readonly text: string; readonly file?: string };

export interface RenderTaskArgs {
  readonly taskId: string;
  readonly template: TemplateSource;
  /** The task's own variables (ECS `command.env`, `--env`): they win over everything else. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Variables under the executor's and the task's own; defaults to none. The process environment
   * is never used implicitly: a caller that wants some of it passes exactly those names.
   */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** KUBE_COMMAND, KUBE_ARGUMENTS, FLP_* of the original executor; omitted = not provided. */
  readonly executor?: ExecutorEnvArgs;
  readonly allowMissing?: boolean;
  /** 'braced' (default): a bare `$NAME` is the container shell's and stays text. */
  readonly placeholders?: PlaceholderStyle;
  readonly appName?: string;
  readonly namespace?: { readonly explicit?: string; readonly context?: string };
  readonly secretPattern?: RegExp;
  readonly readText?: (file: string) => Promise<string>;
}

export interface RenderedTask {
  readonly manifest: Manifest;
  /** What `kubectl apply -f -` receives. */
  readonly yaml: string;
  readonly file: string;
  readonly variables: readonly string[];
  /**
   * The task's secret values (secret-looking variables, Secret data): an API server's error may
   * quote one back (`Unsupported value: "…"`), so every message about this task is scrubbed of them.
   */
  readonly secrets: readonly string[];
}

export async function renderTask(args: RenderTaskArgs): Promise<RenderedTask> {
  const file = 'text' in args.template ? (args.template.file ?? '<inline template>') : args.template.file;
  const text = 'text' in args.template ? args.template.text : await (args.readText ?? readUtf8)(file);
  // FLP_* given in the task's env pin the identity, so no user lookup is needed for them.
  const { executor, lookupError } = computeExecutorEnv(args.executor === undefined ? undefined : { ...args.executor, ...identityFromEnv(args.env ?? {}) });
  const env = taskEnvironment({
    ...(args.baseEnv === undefined ? {} : { base: args.baseEnv }),
    ...(args.env === undefined ? {} : { taskEnv: args.env }),
    executor,
  });
  let rendered: RenderResult;
  try {
    rendered = renderTemplate({
      text,
      file,
      env,
      ...(args.allowMissing === undefined ? {} : { allowMissing: args.allowMissing }),
      ...(args.placeholders === undefined ? {} : { placeholders: args.placeholders }),
    });
  } catch (error) {
    // A missing FLP_* is really a user that does not exist here: say that, not "missing variable".
    if (lookupError !== undefined && error instanceof RenderError && error.missing.some((m) => m.name.startsWith('FLP_'))) {
      throw new RenderError({ message: `${file}: ${lookupError.message}`, file, missing: error.missing });
    }
    throw error;
  }
  const manifest = buildManifest({
    documents: rendered.documents,
    file,
    taskId: args.taskId,
    ...(args.appName === undefined ? {} : { appName: args.appName }),
    ...(args.namespace === undefined ? {} : { namespace: args.namespace }),
  });
  // The manifest's objects are the rendered JSON documents, labelled: JSON by construction.
  const documents = manifest.objects as unknown as JsonObject[];
  if (debug.enabled) {
    debug('%s: variables %s', file, rendered.variables.join(', '));
    debug('%s rendered (secrets redacted):\n%s', file, redactForLog({ documents, env, ...(args.secretPattern ? { secretPattern: args.secretPattern } : {}) }));
  }
  // YAML as kubectl reads it (1.1 scalars: "yes", "0644" stay strings); not JSON, which kubectl
  // would read as one document.
  const secrets = secretValuesOf({ documents, env, ...(args.secretPattern ? { secretPattern: args.secretPattern } : {}) });
  return { manifest, yaml: toKubectlYaml(documents), file, variables: rendered.variables, secrets };
}

function computeExecutorEnv(args: ExecutorEnvArgs | undefined): { executor: Record<string, string>; lookupError?: Error } {
  if (args === undefined) return { executor: {} };
  try {
    return { executor: executorEnv(args) };
  } catch (error) {
    // Without the user, only KUBE_* can be provided; FLP_* stay missing and are reported if used.
    const { user: _user, ...rest } = args;
    const partial = executorEnv({ ...rest, uid: args.uid ?? 0, gid: args.gid ?? 0, supplementalGroups: args.supplementalGroups ?? [] });
    const executor = Object.fromEntries(Object.entries(partial).filter(([name]) => name.startsWith('KUBE_')));
    return { executor, lookupError: error instanceof Error ? error : new Error(String(error)) };
  }
}

function readUtf8(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new RenderError({ message: `${file}: cannot read template: ${error.code ?? error.message}`, file });
  });
}
