/**
 * The bridge's side of the engine: starting it (startUnlessAborted), and requests onto it: each
 * type to its engine call (a launch by the control-workflow convention, toFleetLaunchRequest),
 * and each result through its wire schema, so that what the bridge writes is what the JSON
 * Schema promises.
 */
import type { z } from 'zod';
import type { Engine, FleetLaunchRequest } from '../fleet/types.ts';
import { parseEnvList } from '../render/env-list.ts';
import { BridgeError } from './errors.ts';
import { RESULT_SCHEMAS, type BridgeResults } from './messages.ts';
import type { BridgeRequest, LaunchRequest, ShutdownRequest } from './protocol.ts';

/** engine.start(), unless the signal aborts first (SIGTERM while the cluster is slow to answer). */
export async function startUnlessAborted(engine: Engine, signal: AbortSignal | undefined): Promise<{ readonly reattached: readonly string[] } | 'aborted'> {
  if (signal === undefined) return engine.start();
  if (signal.aborted) return 'aborted';
  const started = engine.start();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([started, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    // A start that fails after the abort has nobody left to tell.
    started.catch(() => undefined);
  }
}

/** What the engine answers: every request but shutdown, which the bridge itself handles. */
export type EngineRequest = Exclude<BridgeRequest, ShutdownRequest>;

/** The engine's answer, encoded. Async so that an engine method throwing synchronously rejects too. */
export async function dispatch(engine: Engine, request: EngineRequest): Promise<BridgeResults[keyof BridgeResults]> {
  switch (request.type) {
    case 'launch':
      return encode('launch', await engine.launch(toFleetLaunchRequest(request)));
    case 'transition':
      return encode(
        'transition',
        await engine.transition({
          taskId: request.taskId,
          event: request.event,
          ...(request.arguments === undefined ? {} : { arguments: request.arguments }),
          ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
        }),
      );
    case 'kill':
      return encode('kill', { taskId: request.taskId, state: await engine.kill(request.taskId) });
    case 'status':
      return encode('status', { tasks: engine.status(request.taskId) });
  }
}

/**
 * A launch request as the engine takes it. The control-workflow convention holds everywhere:
 * the manifest slot is `manifest ?? command.arguments[0]`, and KUBE_ARGUMENTS is always
 * `command.arguments.slice(1)` (so with `manifest` given, arguments[0] is still not an argument:
 * an executor can pass ECS's arguments through unchanged and only override the manifest). The
 * slot is the YAML itself when it contains a newline (no sane path does), else a file path.
 * `env` wins over a command.env item of the same name (the more specific field wins, as the
 * CLI's --env wins over a workflow's env in run-workflow).
 */
export function toFleetLaunchRequest(request: LaunchRequest): FleetLaunchRequest {
  const args = request.command?.arguments ?? [];
  // Validation guarantees a non-empty slot; `?? ''` only satisfies the type.
  const slot = request.manifest ?? args[0] ?? '';
  const command = request.command;
  return {
    taskId: request.taskId,
    template: slot.includes('\n') ? { text: slot } : { file: slot },
    env: { ...parseEnvList(command?.env ?? []), ...request.env },
    executor: {
      ...(command?.value === undefined ? {} : { command: command.value }),
      arguments: args.slice(1),
      ...(command?.user === undefined ? {} : { user: command.user }),
    },
    ...(request.allowMissing === undefined ? {} : { allowMissing: request.allowMissing }),
  };
}

/** A result through its wire schema: what is written is what the JSON Schema promises. */
function encode<T extends keyof BridgeResults>(type: T, value: unknown): BridgeResults[T] {
  const parsed = RESULT_SCHEMAS[type].safeParse(value);
  if (!parsed.success) throw new BridgeError('Internal', `the engine returned an invalid ${type} result: ${issuesText(parsed.error)}`);
  return parsed.data;
}

export function issuesText(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}
