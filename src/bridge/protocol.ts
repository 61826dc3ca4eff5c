/**
 * The `kubectl-task serve` protocol: newline-delimited JSON, requests on stdin, responses, status
 * updates and one `ready` line on stdout. Every message is defined once, as a zod schema: the
 * requests and the pieces both sides share here, what the bridge writes in messages.ts. The
 * TypeScript types, the validation of what executors send (request-line.ts), and the JSON Schema
 * for executors written in other languages (docs/bridge-protocol.schema.json, json-schema.ts) all
 * come from these definitions, so they cannot drift apart.
 *
 * Requests are strict (an unknown or misspelt field is an error naming it, never silently
 * ignored); what the bridge writes is read tolerantly (z.object drops fields a newer bridge adds),
 * so an older client keeps working against a newer server.
 */
import { z } from 'zod';
import type { Reason } from '../errors.ts';
import type { ExecutorState, TaskState } from '../task/states.ts';
import { TASK_ID_PATTERN, TASK_ID_RULE } from '../task/task-id.ts';

/** Bumped on an incompatible change of the messages below; sent in the `ready` line. */
export const BRIDGE_PROTOCOL_VERSION = 1;

/** Requests longer than this (in bytes, without the newline) are refused with LineTooLong. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/** Reasons of the errors the bridge answers for a request line (the engine's reasons come on top). */
export type ProtocolErrorReason = Extract<Reason, 'BadRequest' | 'UnknownType' | 'LineTooLong' | 'ShuttingDown'>;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What parseEnvList accepts as `NAME=value` (it trims the name), so mapping a valid request cannot fail (dispatch.ts). */
const ENV_ITEM = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*=/;

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

export const RequestIdSchema = z
  .union([z.string(), z.number()])
  .meta({ id: 'RequestId', description: 'Chosen by the client and echoed in the response; null there when the request had none or could not be read.' });

export const TaskIdSchema = z
  .string()
  // Blank, padded or with control characters it is an executor's bug, and a newline in it would
  // break the lines and tables it is printed in.
  .min(1)
  // The empty id is min(1)'s to report ("must not be empty"), anything else the rule's.
  .regex(new RegExp(`^(?:${TASK_ID_PATTERN.source.slice(1, -1)})?$`), { message: TASK_ID_RULE })
  .describe('The task id the executor chose; it labels every object of the task (kubectl-task/task-id).');

export const ExecutorStateSchema = z
  .enum(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_UNREACHABLE'])
  .meta({
    id: 'ExecutorState',
    description: 'The Mesos-style state a scheduler understands (TASK_UNREACHABLE: not seen for longer than the grace period, may still run).',
  });

export const TaskStateSchema = z
  .enum(['standby', 'deployed', 'configured', 'running', 'error', 'done', 'not-mapped'])
  .meta({ id: 'TaskState', description: "The Task's own status.state, as the task manager reports it." });

// The wire enums must list exactly the states of src/task/states.ts: these fail to compile otherwise.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const executorStatesMatch: Same<z.infer<typeof ExecutorStateSchema>, ExecutorState> = true;
const taskStatesMatch: Same<z.infer<typeof TaskStateSchema>, TaskState> = true;
void executorStatesMatch;
void taskStatesMatch;

// ---------------------------------------------------------------------------------------------
// Requests (stdin)
// ---------------------------------------------------------------------------------------------

/**
 * ECS's CommandInfo as a control workflow carries it. Not strict: an executor may forward ECS's
 * command verbatim, and fields the bridge has no use for (shell, log, …) are ignored.
 */
const CommandSchema = z
  .object({
    value: z.string().optional().describe('The command line the container runs: KUBE_COMMAND.'),
    arguments: z
      .array(z.string())
      .optional()
      .describe('Control-workflow convention: arguments[0] is the manifest path (unless `manifest` is given), the rest become KUBE_ARGUMENTS.'),
    user: z.string().min(1).optional().describe('The user whose uid/gid fill FLP_UID, FLP_GID, FLP_SUPPLEMENTAL_GROUPS (default flp).'),
    env: z
      .array(z.string().regex(ENV_ITEM, 'expected NAME=value'))
      .optional()
      .describe('NAME=value items as ECS writes them; one pair of quotes around a value is stripped.'),
  })
  .meta({ id: 'Command', description: "ECS's command of a control workflow; other CommandInfo fields are accepted and ignored." });

const EnvSchema = z
  .record(z.string().regex(VARIABLE_NAME), z.string())
  .describe("The task's own template variables; they win over command.env items of the same name.");

export const LaunchRequestSchema = z
  .strictObject({
    type: z.literal('launch'),
    id: RequestIdSchema.optional(),
    taskId: TaskIdSchema,
    manifest: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The manifest template: a path (relative to serve's working directory), or the YAML text itself when it contains a newline. " +
          "Takes command.arguments[0]'s role; required when command.arguments is empty.",
      ),
    env: EnvSchema.optional(),
    command: CommandSchema.optional(),
    allowMissing: z.boolean().optional().describe('Missing template variables become empty strings instead of an error.'),
  })
  // Not expressible per field: the manifest slot is `manifest ?? command.arguments[0]`.
  .superRefine((request, ctx) => {
    if (request.manifest === undefined && (request.command?.arguments?.[0] ?? '') === '') {
      ctx.addIssue({ code: 'custom', path: ['manifest'], message: 'required when command.arguments is empty (arguments[0] is the manifest path otherwise)' });
    }
  })
  .meta({
    id: 'LaunchRequest',
    description: 'Render the manifest, apply it, and answer once the Task reported its first state (TASK_RUNNING or terminal).',
    // The superRefine above, for JSON Schema validators: a manifest or a non-empty arguments[0].
    anyOf: [
      { required: ['manifest'] },
      {
        required: ['command'],
        properties: { command: { required: ['arguments'], properties: { arguments: { prefixItems: [{ minLength: 1 }], minItems: 1 } } } },
      },
    ],
  });

export const TransitionRequestSchema = z
  .strictObject({
    type: z.literal('transition'),
    id: RequestIdSchema.optional(),
    taskId: TaskIdSchema,
    event: z.string().min(1).describe('CONFIGURE, START, STOP or RESET.'),
    arguments: z.record(z.string(), z.string()).optional().describe("CONFIGURE only: copied into the Task's spec.arguments."),
    timeoutMs: z.number().int().positive().optional().describe('How long to wait for status.state to follow.'),
  })
  .meta({ id: 'TransitionRequest', description: "Change the Task's spec.state and answer once status.state follows." });

export const KillRequestSchema = z
  .strictObject({ type: z.literal('kill'), id: RequestIdSchema.optional(), taskId: TaskIdSchema })
  .meta({ id: 'KillRequest', description: "Delete the task's objects and answer with its terminal state once they are gone." });

export const StatusRequestSchema = z
  .strictObject({ type: z.literal('status'), id: RequestIdSchema.optional(), taskId: TaskIdSchema.optional() })
  .meta({ id: 'StatusRequest', description: 'Snapshots of one task, or of every task the bridge knows when taskId is absent.' });

export const ShutdownRequestSchema = z.strictObject({ type: z.literal('shutdown'), id: RequestIdSchema.optional() }).meta({
  id: 'ShutdownRequest',
  description: 'Stop accepting requests, finish the ones in flight, close the engine (Tasks keep running) and answer last.',
});

export const RequestSchema = z
  .discriminatedUnion('type', [LaunchRequestSchema, TransitionRequestSchema, KillRequestSchema, StatusRequestSchema, ShutdownRequestSchema])
  .meta({ id: 'Request', description: 'One line on stdin.' });

export type RequestId = z.infer<typeof RequestIdSchema>;
export type LaunchRequest = z.infer<typeof LaunchRequestSchema>;
export type TransitionRequest = z.infer<typeof TransitionRequestSchema>;
export type KillRequest = z.infer<typeof KillRequestSchema>;
export type StatusRequest = z.infer<typeof StatusRequestSchema>;
export type ShutdownRequest = z.infer<typeof ShutdownRequestSchema>;
export type BridgeRequest = z.infer<typeof RequestSchema>;
export type RequestType = BridgeRequest['type'];

/** The request types, in the order the union lists them (for messages and the client). */
export const REQUEST_TYPES: readonly RequestType[] = RequestSchema.options.map((option) => option.shape.type.value);
