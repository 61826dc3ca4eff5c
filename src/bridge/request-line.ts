/**
 * Reading what an executor sends: one line of stdin becomes a typed request, or the error the
 * bridge answers for it (BadRequest or UnknownType) with the client's id when it could be read.
 * Messages name the field and the problem, in one line that never quotes the line back.
 */
import { z } from 'zod';
import { REQUEST_TYPES, RequestIdSchema, RequestSchema, type BridgeRequest, type ProtocolErrorReason, type RequestId } from './protocol.ts';

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
  return (
    raw
      .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: it escapes them (and U+2028/2029): the logged message stays one line
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  );
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
    const message = `unknown request type ${JSON.stringify(type)} (expected one of ${REQUEST_TYPES.join(', ')})`;
    return { ok: false, id, error: { reason: 'UnknownType', message } };
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
    .map((key) => {
      if (typeof key === 'number') return `[${key}]`;
      return typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(String(key))}]`;
    })
    .join('');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
