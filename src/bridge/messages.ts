/**
 * What the bridge writes on stdout (see protocol.ts): each request's result, the response that
 * carries it or an error, the status updates it pushes, and the `ready` line. Read tolerantly:
 * a field a newer bridge adds is dropped, not refused.
 */
import { z } from 'zod';
import type { FleetStatusUpdate, FleetTaskSnapshot, FleetTransitionResult } from '../fleet/types.ts';
import { ExecutorStateSchema, RequestIdSchema, TaskIdSchema, TaskStateSchema, type RequestType } from './protocol.ts';

export const TaskSnapshotSchema = z
  .object({
    taskId: TaskIdSchema,
    namespace: z.string(),
    name: z.string().describe("The Task object's metadata.name."),
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

export const StatusResultSchema = z.object({ tasks: z.array(TaskSnapshotSchema) }).meta({ id: 'StatusResult', description: 'The result of status.' });

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
    reason: z
      .string()
      .describe("Machine-readable: BadRequest, UnknownType, LineTooLong, ShuttingDown, or the engine's (UnknownTask, WrongState, Forbidden, …)."),
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
  .meta({
    id: 'OkResponse',
    description:
      "The result's shape follows the request's type: launch → TaskSnapshot, transition → TransitionResult, kill → KillResult, " +
      'status → StatusResult, shutdown → ShutdownResult.',
  });

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
