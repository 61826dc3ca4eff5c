/**
 * The `kubectl-task serve` protocol: newline-delimited JSON, requests on stdin, responses, status
 * updates and one `ready` line on stdout. Every message is defined once, here, as a zod schema:
 * the TypeScript types, the validation of what executors send, and the JSON Schema for executors
 * written in other languages (docs/bridge-protocol.schema.json, see bridgeJsonSchema) all come
 * from these definitions, so they cannot drift apart.
 *
 * Requests are strict (an unknown or misspelt field is an error naming it, never silently
 * ignored); what the bridge writes is read tolerantly (z.object drops fields a newer bridge adds),
 * so an older client keeps working against a newer server.
 */
import { z } from 'zod';
import type { Reason } from '../errors.ts';
import { parseEnvList } from '../render/env-list.ts';
import type { FleetLaunchRequest, FleetStatusUpdate, FleetTaskSnapshot, FleetTransitionResult } from '../fleet/types.ts';
import type { ExecutorState, TaskState } from '../task/states.ts';

/** Bumped on an incompatible change of the messages below; sent in the `ready` line. */
export const BRIDGE_PROTOCOL_VERSION = 1;

/** Requests longer than this (in bytes, without the newline) are refused with LineTooLong. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/** Reasons of the errors the bridge answers for a request line (the engine's reasons come on top). */
export type ProtocolErrorReason = Extract<Reason, 'BadRequest' | 'UnknownType' | 'LineTooLong' | 'ShuttingDown'>;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What parseEnvList accepts as `NAME=value` (it trims the name), so mapping a valid request cannot fail. */
const ENV_ITEM = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*=/;

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

export const RequestIdSchema = z
  .union([z.string(), z.number()])
  .meta({ id: 'RequestId', description: 'Chosen by the client and echoed in the response; null there when the request had none or could not be read.' });

const TaskIdSchema = z.string().min(1).describe('The task id the executor chose; it labels every object of the task (kubectl-task/task-id).');

const ExecutorStateSchema = z
  .enum(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_UNREACHABLE'])
  .meta({ id: 'ExecutorState', description: 'The Mesos-style state a scheduler understands (TASK_UNREACHABLE: not seen for longer than the grace period, may still run).' });

const TaskStateSchema = z
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
        "The manifest template: a path (relative to serve's working directory), or the YAML text itself when it contains a newline. Takes command.arguments[0]'s role; required when command.arguments is empty.",
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
      { required: ['command'], properties: { command: { required: ['arguments'], properties: { arguments: { prefixItems: [{ minLength: 1 }], minItems: 1 } } } } },
    ],
  });

export const TransitionRequestSchema = z
  .strictObject({
    type: z.literal('transition'),
    id: RequestIdSchema.optional(),
    taskId: TaskIdSchema,
    event: z.string().min(1).describe('CONFIGURE, START, STOP or RESET.'),
    arguments: z.record(z.string(), z.string()).optional().describe('CONFIGURE only: copied into the Task\'s spec.arguments.'),
    timeoutMs: z.number().int().positive().optional().describe('How long to wait for status.state to follow.'),
  })
  .meta({ id: 'TransitionRequest', description: "Change the Task's spec.state and answer once status.state follows." });

export const KillRequestSchema = z
  .strictObject({ type: z.literal('kill'), id: RequestIdSchema.optional(), taskId: TaskIdSchema })
  .meta({ id: 'KillRequest', description: "Delete the task's objects and answer with its terminal state once they are gone." });

export const StatusRequestSchema = z
  .strictObject({ type: z.literal('status'), id: RequestIdSchema.optional(), taskId: TaskIdSchema.optional() })
  .meta({ id: 'StatusRequest', description: 'Snapshots of one task, or of every task the bridge knows when taskId is absent.' });

export const ShutdownRequestSchema = z
  .strictObject({ type: z.literal('shutdown'), id: RequestIdSchema.optional() })
  .meta({
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

// ---------------------------------------------------------------------------------------------
// Results, responses, status updates, ready (stdout)
// ---------------------------------------------------------------------------------------------

export const TaskSnapshotSchema = z
  .object({
    taskId: TaskIdSchema,
    namespace: z.string(),
    name: z.string().describe('The Task object\'s metadata.name.'),
    state: ExecutorStateSchema.optional().describe('Absent until the Task reported a state.'),
    taskState: TaskStateSchema.optional(),
    desired: z.string().optional().describe('spec.state, the desired state.'),
    seq: z.number().int().nonnegative().describe('The seq of the last status update of this task.'),
    resourceVersion: z.string().optional(),
  })
  .meta({ id: 'TaskSnapshot', description: 'What the bridge knows of one task; the result of launch.' });

export const TransitionResultSchema = z
  .object({ taskId: TaskIdSchema, taskState: TaskStateSchema, resourceVersion: z.string().optional() })
  .meta({ id: 'TransitionResult', description: 'The result of transition: the state the Task reached.' });

export const KillResultSchema = z
  .object({ taskId: TaskIdSchema, state: ExecutorStateSchema })
  .meta({ id: 'KillResult', description: 'The result of kill: the terminal state the task ended in.' });

export const StatusResultSchema = z
  .object({ tasks: z.array(TaskSnapshotSchema) })
  .meta({ id: 'StatusResult', description: 'The result of status.' });

export const ShutdownResultSchema = z.object({}).meta({ id: 'ShutdownResult', description: 'The result of shutdown: the engine is closed.' });

/** The result of each request type. */
export interface BridgeResults {
  readonly launch: z.infer<typeof TaskSnapshotSchema>;
  readonly transition: z.infer<typeof TransitionResultSchema>;
  readonly kill: z.infer<typeof KillResultSchema>;
  readonly status: z.infer<typeof StatusResultSchema>;
  readonly shutdown: z.infer<typeof ShutdownResultSchema>;
}
export type TaskSnapshot = BridgeResults['launch'];

/**
 * The result schema of each request type: the server encodes with it, the client decodes with it.
 * Typed per key so that RESULT_SCHEMAS[type] parses to BridgeResults[type] for a generic type.
 */
export const RESULT_SCHEMAS: { readonly [K in RequestType]: z.ZodType<BridgeResults[K]> } = {
  launch: TaskSnapshotSchema,
  transition: TransitionResultSchema,
  kill: KillResultSchema,
  status: StatusResultSchema,
  shutdown: ShutdownResultSchema,
};

export const ErrorBodySchema = z
  .object({
    reason: z.string().describe('Machine-readable: BadRequest, UnknownType, LineTooLong, ShuttingDown, or the engine\'s (UnknownTask, WrongState, Forbidden, …).'),
    message: z.string().describe('One line for humans.'),
  })
  .meta({ id: 'ErrorBody' });

const OkResponseSchema = z
  .object({
    type: z.literal('response'),
    id: RequestIdSchema.nullable(),
    ok: z.literal(true),
    result: z.union([TaskSnapshotSchema, TransitionResultSchema, KillResultSchema, StatusResultSchema, ShutdownResultSchema]),
  })
  .meta({ id: 'OkResponse', description: "The result's shape follows the request's type: launch → TaskSnapshot, transition → TransitionResult, kill → KillResult, status → StatusResult, shutdown → ShutdownResult." });

const ErrorResponseSchema = z
  .object({ type: z.literal('response'), id: RequestIdSchema.nullable(), ok: z.literal(false), error: ErrorBodySchema })
  .meta({ id: 'ErrorResponse' });

export const ResponseSchema = z
  .discriminatedUnion('ok', [OkResponseSchema, ErrorResponseSchema])
  .meta({ id: 'Response', description: 'Exactly one per request line, in the order the requests finish (match them by id).' });

/** A response whose result is not yet decoded: the client decodes it with RESULT_SCHEMAS of the request's type. */
export const ResponseEnvelopeSchema = z.discriminatedUnion('ok', [OkResponseSchema.extend({ result: z.unknown() }), ErrorResponseSchema]);

export const StatusMessageSchema = z
  .object({
    type: z.literal('status'),
    taskId: TaskIdSchema,
    seq: z.number().int().nonnegative().describe('Increases by one per task and per change, never reused.'),
    state: ExecutorStateSchema,
    taskState: TaskStateSchema.optional(),
    reason: z.string(),
    message: z.string().optional(),
    time: z.string().describe('ISO 8601, when the bridge learned of the change.'),
  })
  .meta({ id: 'StatusMessage', description: 'Pushed whenever a task the bridge knows changes state.' });

export const ReadyMessageSchema = z
  .object({
    type: z.literal('ready'),
    protocol: z.number().int().describe('BRIDGE_PROTOCOL_VERSION of the bridge.'),
    version: z.string().describe('The kubectl-task version.'),
    reattached: z.array(TaskIdSchema).describe('Tasks already in scope when the bridge started (status updates follow for them).'),
  })
  .meta({ id: 'ReadyMessage', description: 'The first line, once: the bridge reads requests from now on.' });

export const ServerMessageSchema = z
  .discriminatedUnion('type', [ResponseSchema, StatusMessageSchema, ReadyMessageSchema])
  .meta({ id: 'ServerMessage', description: 'One line on stdout.' });

/** What a client reads: results stay undecoded until matched with their request's type. */
export const ServerMessageEnvelopeSchema = z.discriminatedUnion('type', [ResponseEnvelopeSchema, StatusMessageSchema, ReadyMessageSchema]);

export type BridgeResponse = z.infer<typeof ResponseSchema>;
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
export type StatusMessage = z.infer<typeof StatusMessageSchema>;
export type ReadyMessage = z.infer<typeof ReadyMessageSchema>;
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

// The engine's shapes must encode into the wire's: these fail to compile when types.ts drifts.
type Assignable<From, To> = [From] extends [To] ? true : false;
const snapshotEncodes: Assignable<FleetTaskSnapshot, TaskSnapshot> = true;
const transitionEncodes: Assignable<FleetTransitionResult, BridgeResults['transition']> = true;
const statusEncodes: Assignable<FleetStatusUpdate & { type: 'status' }, StatusMessage> = true;
void snapshotEncodes;
void transitionEncodes;
void statusEncodes;

// ---------------------------------------------------------------------------------------------
// Reading a request line
// ---------------------------------------------------------------------------------------------

export type ParsedRequest =
  | { readonly ok: true; readonly request: BridgeRequest }
  | { readonly ok: false; readonly id: RequestId | null; readonly error: { readonly reason: ProtocolErrorReason; readonly message: string } };

/**
 * One line of stdin → a request, or the error response's id and body. Messages name the field:
 * `launch.taskId: expected string, received number`.
 */
export function parseRequestLine(line: string): ParsedRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return badRequest(null, `invalid JSON: ${jsonErrorText(error)}`);
  }
  return parseRequest(value);
}

/**
 * JSON.parse's message without the piece of the line V8 quotes back (`Unexpected token 'o',
 * "not json" is not valid JSON`): the line may hold a secret, and the message is logged. What
 * remains is one line of printable text.
 */
function jsonErrorText(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  return raw
    .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function parseRequest(value: unknown): ParsedRequest {
  // The envelope first, so an error can still carry the client's id and name the type it read.
  const envelope = z.record(z.string(), z.unknown()).safeParse(value);
  if (!envelope.success) return badRequest(null, `expected a JSON object, received ${kindOf(value)}`);
  const idResult = RequestIdSchema.safeParse(envelope.data['id']);
  const id = idResult.success ? idResult.data : null;
  const type = envelope.data['type'];
  if (typeof type !== 'string') {
    return badRequest(id, `type: ${type === undefined ? 'required' : `expected string, received ${kindOf(type)}`} (one of ${REQUEST_TYPES.join(', ')})`);
  }
  const schema = RequestSchema.options.find((option) => option.shape.type.value === type);
  if (schema === undefined) {
    return { ok: false, id, error: { reason: 'UnknownType', message: `unknown request type ${JSON.stringify(type)} (expected one of ${REQUEST_TYPES.join(', ')})` } };
  }
  const parsed = schema.safeParse(value, { error: issueMessage });
  if (parsed.success) return { ok: true, request: parsed.data };
  return badRequest(id, parsed.error.issues.map((issue) => `${type}${pathText(issue.path)}: ${issue.message}`).join('; '));
}

function badRequest(id: RequestId | null, message: string): ParsedRequest {
  return { ok: false, id, error: { reason: 'BadRequest', message } };
}

/** Short, lower-case messages for the issues requests can have (zod's defaults otherwise). */
function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      if (issue.expected === 'int') return `expected an integer, received ${typeof issue.input === 'number' ? String(issue.input) : kindOf(issue.input)}`;
      return `expected ${issue.expected}, received ${kindOf(issue.input)}`;
    case 'invalid_union': {
      // The id's string | number: name the alternatives rather than zod's bare "Invalid input".
      const expected = [...new Set(issue.errors.flat().flatMap((inner) => (inner.code === 'invalid_type' ? [inner.expected] : [])))];
      return expected.length === 0 ? undefined : `expected ${expected.join(' or ')}, received ${kindOf(issue.input)}`;
    }
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
    case 'invalid_key':
      return 'invalid variable name (expected letters, digits and _, not starting with a digit)';
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      if (issue.origin === 'number' && Number(issue.minimum) === 0 && issue.inclusive !== true) return 'must be greater than 0';
      return undefined;
    default:
      return undefined;
  }
}

/** `.command.env[0]`, `.env["my var"]` */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key) => (typeof key === 'number' ? `[${key}]` : typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(String(key))}]`))
    .join('');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

// ---------------------------------------------------------------------------------------------
// Mapping onto the engine
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// JSON Schema
// ---------------------------------------------------------------------------------------------

/**
 * The JSON Schema of every line either side writes (docs/bridge-protocol.schema.json). `io:
 * 'input'` describes what a reader accepts: strict requests get additionalProperties false, the
 * bridge's own messages allow fields a newer bridge may add.
 */
export function bridgeJsonSchema(): Record<string, unknown> {
  const root = z.union([RequestSchema, ServerMessageSchema]).meta({
    title: 'kubectl-task bridge protocol',
    description: `Newline-delimited JSON of \`kubectl-task serve\` (protocol ${BRIDGE_PROTOCOL_VERSION}): a Request per line on stdin; a ServerMessage per line on stdout.`,
  });
  return z.toJSONSchema(root, { io: 'input' });
}

/** The schema file's text, as committed (2-space JSON and a final newline). */
export function bridgeJsonSchemaText(): string {
  return `${JSON.stringify(bridgeJsonSchema(), null, 2)}\n`;
}
