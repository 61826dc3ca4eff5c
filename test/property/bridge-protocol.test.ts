/**
 * Properties of the bridge's request validation (src/bridge/request-line.ts): any JSON value, and any
 * line of text, becomes either a typed request or a BadRequest / UnknownType error whose one-line
 * message names where the problem is; it never throws. Valid requests survive a trip through
 * JSON unchanged, and a valid launch always maps onto the engine.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { toFleetLaunchRequest } from '../../src/bridge/dispatch.ts';
import { REQUEST_TYPES, RequestSchema } from '../../src/bridge/protocol.ts';
import { parseRequest, parseRequestLine, type ParsedRequest } from '../../src/bridge/request-line.ts';
import { hostileString } from './arbitraries.ts';

const NUM_RUNS = Number(process.env['PROPERTY_RUNS'] ?? 200);

/** `launch.taskId: …`, `transition.arguments["a b"]: …`, `type: …`: a type, then a path. */
const PATHED = new RegExp(`^(${REQUEST_TYPES.join('|')})((\\.[A-Za-z_$][\\w$]*)|\\[\\d+\\]|\\["(?:[^"\\\\]|\\\\.)*"\\])*: `);

function checkOutcome(parsed: ParsedRequest, input: unknown): void {
  if (parsed.ok) {
    // A typed request: the schema accepts it as it is, and a launch maps onto the engine.
    expect(RequestSchema.safeParse(parsed.request).success).to.equal(true);
    if (parsed.request.type === 'launch') expect(() => toFleetLaunchRequest(parsed.request as never)).not.to.throw();
    return;
  }
  const { reason, message } = parsed.error;
  expect(reason).to.be.oneOf(['BadRequest', 'UnknownType']);
  expect(message, 'one line').not.to.contain('\n');
  expect(message.length).to.be.greaterThan(0);
  expect(parsed.id === null || typeof parsed.id === 'string' || typeof parsed.id === 'number').to.equal(true);
  if (reason === 'UnknownType') {
    expect(message).to.match(/^unknown request type ".*" \(expected one of launch, transition, kill, status, shutdown\)$/s);
    return;
  }
  // Every BadRequest says what is wrong where: the line, the envelope, the type field, or a field path.
  for (const part of message.split('; ')) {
    expect(
      /^invalid JSON: /.test(part) || /^expected a JSON object, received \w+$/.test(part) || /^type: /.test(part) || PATHED.test(part),
      `${JSON.stringify(part)} (input ${JSON.stringify(input)?.slice(0, 300)})`,
    ).to.equal(true);
  }
}

const json = fc.jsonValue({ maxDepth: 4 });
const id = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));

/** Requests that look almost right: a real type, and fields of the right names with any JSON. */
const nearRequest = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...REQUEST_TYPES), fc.constantFrom('Launch', 'kil', ''), json),
    id: fc.oneof(id, json),
    taskId: fc.oneof(fc.string({ maxLength: 10 }), json),
    manifest: fc.oneof(hostileString, json),
    env: fc.oneof(fc.dictionary(hostileString, fc.oneof(hostileString, json), { maxKeys: 3 }), json),
    command: fc.oneof(
      fc.record(
        {
          value: fc.oneof(hostileString, json),
          arguments: fc.oneof(fc.array(hostileString, { maxLength: 3 }), json),
          user: fc.oneof(hostileString, json),
          env: fc.oneof(fc.array(hostileString, { maxLength: 3 }), json),
        },
        { requiredKeys: [] },
      ),
      json,
    ),
    event: fc.oneof(fc.constantFrom('CONFIGURE', 'START', 'STOP', 'RESET'), hostileString, json),
    arguments: fc.oneof(fc.dictionary(hostileString, hostileString, { maxKeys: 3 }), json),
    timeoutMs: fc.oneof(fc.integer(), fc.double(), json),
    allowMissing: fc.oneof(fc.boolean(), json),
  },
  { requiredKeys: ['type'] },
);

/** Valid requests of every type, to go through JSON and back. */
/** Any text but control characters, with no whitespace at either end (TaskIdSchema). */
const taskId = fc
  .string({ minLength: 1, maxLength: 20, unit: fc.constantFrom('a', 'Z', '0', '-', '_', '.', ' ', 'é', '/', '😀') })
  .filter((s) => s.trim() === s && s !== '');
const validRequest = fc.oneof(
  fc.record(
    {
      type: fc.constant('launch' as const),
      id,
      taskId,
      manifest: fc.string({ minLength: 1 }),
      env: fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), hostileString, { maxKeys: 3 }),
      command: fc.record(
        {
          value: hostileString,
          arguments: fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }),
          user: fc.string({ minLength: 1 }),
          env: fc.array(
            fc.tuple(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), hostileString).map(([n, v]) => `${n}=${v}`),
            { maxLength: 3 },
          ),
        },
        { requiredKeys: [] },
      ),
      allowMissing: fc.boolean(),
    },
    { requiredKeys: ['type', 'taskId', 'manifest'] },
  ),
  fc.record(
    {
      type: fc.constant('transition' as const),
      id,
      taskId,
      event: fc.string({ minLength: 1 }),
      arguments: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
      timeoutMs: fc.integer({ min: 1 }),
    },
    { requiredKeys: ['type', 'taskId', 'event'] },
  ),
  fc.record({ type: fc.constant('kill' as const), id, taskId }, { requiredKeys: ['type', 'taskId'] }),
  fc.record({ type: fc.constant('status' as const), id, taskId }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('shutdown' as const), id }, { requiredKeys: ['type'] }),
);

describe('property: bridge request validation', () => {
  it(`any JSON value → a typed request, or BadRequest/UnknownType naming a path; never a throw (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(json, (value) => checkOutcome(parseRequest(value), value)),
      { numRuns: NUM_RUNS },
    );
  });

  it(`requests that look almost right, with any JSON in their fields (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(nearRequest, fc.dictionary(hostileString, json, { maxKeys: 2 }), (request, extra) => {
        for (const value of [request, { ...extra, ...request }]) checkOutcome(parseRequest(value), value);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it(`any line of text → the same outcomes as its JSON, never a throw (${NUM_RUNS} runs)`, () => {
    const line = fc.oneof(
      hostileString,
      json.map((v) => JSON.stringify(v)),
      nearRequest.map((r) => JSON.stringify(r)),
    );
    fc.assert(
      fc.property(line, (text) => checkOutcome(parseRequestLine(text), text)),
      { numRuns: NUM_RUNS },
    );
  });

  it(`valid requests of every type come back unchanged through JSON (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(validRequest, (request) => {
        const parsed = parseRequestLine(JSON.stringify(request));
        expect(parsed.ok, JSON.stringify(parsed)).to.equal(true);
        if (parsed.ok) expect(parsed.request).to.deep.equal(JSON.parse(JSON.stringify(request)));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a misspelt field of a valid request is an error naming it, never ignored', () => {
    fc.assert(
      fc.property(validRequest, fc.stringMatching(/^[a-z][A-Za-z]{0,10}$/), (request, field) => {
        fc.pre(
          !(field in request) && !['id', 'type', 'taskId', 'manifest', 'env', 'command', 'allowMissing', 'event', 'arguments', 'timeoutMs'].includes(field),
        );
        const parsed = parseRequest({ ...request, [field]: 1 });
        expect(parsed.ok).to.equal(false);
        if (!parsed.ok) expect(parsed.error.message).to.contain(`unknown field "${field}"`);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
