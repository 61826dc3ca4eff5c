import { expect } from 'chai';
import { parseRequest, parseRequestLine, type ParsedRequest } from '../../src/bridge/request-line.ts';

function errorOf(parsed: ParsedRequest): { id: unknown; reason: string; message: string } {
  if (parsed.ok) throw new Error(`expected an error, got ${JSON.stringify(parsed.request)}`);
  return { id: parsed.id, ...parsed.error };
}

describe('bridge protocol: requests', () => {
  it('accepts every request type in its minimal and full forms', () => {
    const valid: Record<string, unknown>[] = [
      { type: 'launch', taskId: 't1', manifest: 'templates/example.yaml' },
      { type: 'launch', id: 1, taskId: 't1', command: { arguments: ['templates/example.yaml'] } },
      {
        type: 'launch',
        id: 'a-1',
        taskId: 't1',
        manifest: 'apiVersion: v1\nkind: ConfigMap\n',
        env: { O2_ROLE: 'flp001' },
        command: { value: 'o2-readout-exe', arguments: ['m.yaml', '--id', 'x'], user: 'flp', env: ['A=1', 'B="two"'], shell: true },
        allowMissing: true,
      },
      { type: 'transition', taskId: 't1', event: 'START' },
      { type: 'transition', id: 2, taskId: 't1', event: 'CONFIGURE', arguments: { environment_id: 'E1' }, timeoutMs: 30000 },
      { type: 'kill', taskId: 't1' },
      { type: 'kill', id: 3, taskId: 't1' },
      { type: 'status' },
      { type: 'status', id: 4, taskId: 't1' },
      { type: 'shutdown' },
      { type: 'shutdown', id: 'bye' },
    ];
    for (const request of valid) {
      const parsed = parseRequest(request);
      expect(parsed.ok, JSON.stringify(request)).to.equal(true);
    }
  });

  it('names the field and the problem: launch.taskId: expected string, received number', () => {
    expect(errorOf(parseRequestLine('{"type":"launch","id":5,"taskId":3,"manifest":"m.yaml"}'))).to.deep.equal({
      id: 5,
      reason: 'BadRequest',
      message: 'launch.taskId: expected string, received number',
    });
  });

  it('reports each invalid field of each type, with the request id echoed', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'launch', manifest: 'm.yaml' }, 'launch.taskId: required'],
      [{ type: 'launch', taskId: '', manifest: 'm.yaml' }, 'launch.taskId: must not be empty'],
      [{ type: 'launch', taskId: '  ', manifest: 'm.yaml' }, 'launch.taskId: must not start or end with whitespace, or contain control characters'],
      [{ type: 'kill', taskId: 't1\n' }, 'kill.taskId: must not start or end with whitespace, or contain control characters'],
      [{ type: 'transition', taskId: 'a\u0007b', event: 'START' }, 'transition.taskId: must not start or end with whitespace, or contain control characters'],
      [{ type: 'launch', taskId: 't1' }, 'launch.manifest: required when command.arguments is empty (arguments[0] is the manifest path otherwise)'],
      [
        { type: 'launch', taskId: 't1', command: { arguments: [] } },
        'launch.manifest: required when command.arguments is empty (arguments[0] is the manifest path otherwise)',
      ],
      [{ type: 'launch', taskId: 't1', manifest: 'm.yaml', bogus: 1 }, 'launch: unknown field "bogus"'],
      [{ type: 'launch', taskId: 't1', manifest: 'm.yaml', command: { env: ['A=1', 'oops'] } }, 'launch.command.env[1]: expected NAME=value'],
      [{ type: 'launch', taskId: 't1', manifest: 'm.yaml', command: { arguments: 'm.yaml' } }, 'launch.command.arguments: expected array, received string'],
      [{ type: 'launch', taskId: 't1', manifest: 'm.yaml', env: { A: 1 } }, 'launch.env.A: expected string, received number'],
      [
        { type: 'launch', taskId: 't1', manifest: 'm.yaml', env: { 'my var': 'x' } },
        'launch.env["my var"]: invalid variable name (expected letters, digits and _, not starting with a digit)',
      ],
      [{ type: 'launch', taskId: 't1', manifest: 'm.yaml', allowMissing: 'yes' }, 'launch.allowMissing: expected boolean, received string'],
      [{ type: 'transition', taskId: 't1' }, 'transition.event: required'],
      [{ type: 'transition', taskId: 't1', event: 'START', timeoutMs: 0 }, 'transition.timeoutMs: must be greater than 0'],
      [{ type: 'transition', taskId: 't1', event: 'START', timeoutMs: 1.5 }, 'transition.timeoutMs: expected an integer, received 1.5'],
      [{ type: 'transition', taskId: 't1', event: 'CONFIGURE', arguments: { a: 1 } }, 'transition.arguments.a: expected string, received number'],
      [{ type: 'kill' }, 'kill.taskId: required'],
      [{ type: 'kill', taskId: 't1', force: true }, 'kill: unknown field "force"'],
      [{ type: 'status', taskId: 7 }, 'status.taskId: expected string, received number'],
      [{ type: 'shutdown', now: true }, 'shutdown: unknown field "now"'],
    ];
    for (const [request, message] of cases) {
      expect(errorOf(parseRequest({ id: 'r', ...request })), JSON.stringify(request)).to.deep.equal({ id: 'r', reason: 'BadRequest', message });
    }
  });

  it('joins several problems of one request into one line', () => {
    const { message } = errorOf(parseRequest({ type: 'transition', taskId: 1, event: '' }));
    expect(message).to.equal('transition.taskId: expected string, received number; transition.event: must not be empty');
    expect(message).not.to.include('\n');
  });

  it('tells an unknown type (UnknownType, naming it) from a missing or malformed one (BadRequest)', () => {
    expect(errorOf(parseRequestLine('{"type":"reboot","id":9}'))).to.deep.equal({
      id: 9,
      reason: 'UnknownType',
      message: 'unknown request type "reboot" (expected one of launch, transition, kill, status, shutdown)',
    });
    expect(errorOf(parseRequestLine('{"id":9}'))).to.deep.equal({
      id: 9,
      reason: 'BadRequest',
      message: 'type: required (one of launch, transition, kill, status, shutdown)',
    });
    expect(errorOf(parseRequestLine('{"type":1}')).message).to.equal(
      'type: expected string, received number (one of launch, transition, kill, status, shutdown)',
    );
  });

  it('answers id null when the line is not JSON, not an object, or its id is not a string or number', () => {
    const notJson = errorOf(parseRequestLine('{"type": "status"'));
    expect(notJson.id).to.equal(null);
    expect(notJson.reason).to.equal('BadRequest');
    expect(notJson.message).to.match(/^invalid JSON: /);
    expect(errorOf(parseRequestLine('[1,2]'))).to.deep.equal({ id: null, reason: 'BadRequest', message: 'expected a JSON object, received array' });
    expect(errorOf(parseRequestLine('null'))).to.deep.equal({ id: null, reason: 'BadRequest', message: 'expected a JSON object, received null' });
    expect(errorOf(parseRequestLine('{"type":"status","id":{"n":1}}'))).to.deep.equal({
      id: null,
      reason: 'BadRequest',
      message: 'status.id: expected string or number, received object',
    });
  });
});
