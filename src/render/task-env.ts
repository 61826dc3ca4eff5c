/**
 * The environment one task's template is rendered with: a fresh frozen object per task, so two
 * tasks in one process can never see each other's variables (defect 1 of the original, which
 * wrote every task's variables into the process-global environment).
 *
 * Precedence, lowest to highest: base < executor (KUBE_*, FLP_*) < taskEnv (the workflow's
 * command.env / --env). The task env is what a user wrote for this very task, so it wins — e.g.
 * a workflow may pin FLP_UID instead of looking up a user.
 *
 * The base is empty unless given: the process environment is never read here, so a shell
 * variable (API_TOKEN, HOME, …) can never end up in a task's objects unless someone named it.
 */

export interface TaskEnvironmentArgs {
  /** Variables under everything else; defaults to none. Never process.env implicitly. */
  readonly base?: Readonly<Record<string, string | undefined>>;
  readonly taskEnv?: Readonly<Record<string, string>>;
  readonly executor?: Readonly<Record<string, string>>;
}

export function taskEnvironment(args: TaskEnvironmentArgs): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(args.base ?? {})) if (v !== undefined) out[k] = v;
  Object.assign(out, args.executor ?? {}, args.taskEnv ?? {});
  return Object.freeze(out);
}
