/** Template rendering: strict structure-safe substitution, task environments, log redaction. */
export { renderTemplate, type RenderArgs, type RenderResult } from './template.ts';
export { RenderError, type MissingVariable } from './errors.ts';
export { toKubectlYaml, KUBECTL_PARSE_OPTIONS } from './kubectl-yaml.ts';
export { scanPlaceholders, PLACEHOLDER_STYLES, type PlaceholderStyle, type Segment, type ScanResult } from './placeholders.ts';
export { redactForLog, type RedactArgs } from './redact.ts';
export {
  executorEnv,
  identityFromEnv,
  shellQuote,
  makeUserLookup,
  ExecutorEnvError,
  type ExecutorEnvArgs,
  type LookupUser,
  type UserInfo,
  type UserLookupOptions,
} from './executor-env.ts';
export { parseEnvList, parseEnvFile, EnvParseError, type EnvListOptions } from './env-list.ts';
export { taskEnvironment, type TaskEnvironmentArgs } from './task-env.ts';
