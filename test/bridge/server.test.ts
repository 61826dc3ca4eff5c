import { expect } from 'chai';
import { TaskError } from '../../src/task/errors.ts';
import type { FleetTransitionResult } from '../../src/fleet/types.ts';
import { EngineError, FakeEngine, deferred, snapshot } from './fake-engine.ts';
import { eventually, startHarness, type Harness } from './harness.ts';

async function shutDown(h: Harness): Promise<void> {
  h.send({ type: 'shutdown', id: 'end' });
  await h.done;
}

describe('bridge server (fake engine)', () => {
  it('starts the engine and prints ready first, then the status updates the engine reported while starting', async () => {
    const engine = new FakeEngine();
    engine.reattached = ['old-1', 'old-2'];
    engine.onStart = async () => engine.emit({ taskId: 'old-1', seq: 7, taskState: 'running', reason: 'Reattached' });
    const h = startHarness({ engine });
    await h.waitFor((line) => line['type'] === 'status');
    expect(h.lines[0]).to.deep.equal({ type: 'ready', protocol: 1, version: '0.0.0-test', reattached: ['old-1', 'old-2'] });
    expect(h.lines[1]).to.deep.equal({
      type: 'status',
      taskId: 'old-1',
      seq: 7,
      state: 'TASK_RUNNING',
      taskState: 'running',
      reason: 'Reattached',
      time: '2026-01-01T00:00:00.000Z',
    });
    await shutDown(h);
  });

  it('maps a launch onto the engine and answers with the snapshot, echoing the id', async () => {
    const h = startHarness();
    h.send({ type: 'launch', id: 'L1', taskId: 't1', env: { A: '1' }, command: { value: 'run', arguments: ['m.yaml', '-v'], env: ['B="2"'] } });
    const response = await h.responseTo('L1');
    expect(response).to.deep.equal({ type: 'response', id: 'L1', ok: true, result: { ...snapshot('t1') } });
    expect(h.engine.calls.find((call) => call.op === 'launch')?.arg).to.deep.equal({
      taskId: 't1',
      template: { file: 'm.yaml' },
      env: { B: '2', A: '1' },
      executor: { command: 'run', arguments: ['-v'] },
    });
    await shutDown(h);
  });

  it('answers transition, kill and status with their results; a request without id gets id null', async () => {
    const h = startHarness();
    h.send({ type: 'transition', id: 1, taskId: 't1', event: 'CONFIGURE', arguments: { environment_id: 'E1' }, timeoutMs: 5000 });
    h.send({ type: 'kill', id: 2, taskId: 't2' });
    h.send({ type: 'status', id: 3 });
    h.send({ type: 'status' });
    expect((await h.responseTo(1))['result']).to.deep.equal({ taskId: 't1', taskState: 'configured', resourceVersion: '43' });
    expect((await h.responseTo(2))['result']).to.deep.equal({ taskId: 't2', state: 'TASK_KILLED' });
    expect((await h.responseTo(3))['result']).to.deep.equal({ tasks: [snapshot('t1'), snapshot('t2')] });
    expect((await h.responseTo(null))['ok']).to.equal(true);
    expect(h.engine.calls.find((call) => call.op === 'transition')?.arg).to.deep.equal({
      taskId: 't1',
      event: 'CONFIGURE',
      arguments: { environment_id: 'E1' },
      timeoutMs: 5000,
    });
    await shutDown(h);
  });

  it('maps engine errors to {reason, message} with reasonOf/messageOf, thrown or rejected', async () => {
    const engine = new FakeEngine();
    engine.onTransition = () =>
      Promise.reject(new TaskError({ reason: 'WrongState', taskId: 't1', message: 'cannot START from "standby"\n  START needs "configured"' }));
    engine.onKill = () => Promise.reject(new Error('boom'));
    const h = startHarness({ engine });
    h.send({ type: 'status', id: 's', taskId: 'unknown-1' });
    h.send({ type: 'transition', id: 't', taskId: 't1', event: 'START' });
    h.send({ type: 'kill', id: 'k', taskId: 't1' });
    expect(await h.responseTo('s')).to.deep.equal({
      type: 'response',
      id: 's',
      ok: false,
      error: { reason: 'UnknownTask', message: 'task unknown-1 is not known to this executor' },
    });
    expect((await h.responseTo('t'))['error']).to.deep.equal({ reason: 'WrongState', message: 'cannot START from "standby"; START needs "configured"' });
    expect((await h.responseTo('k'))['error']).to.deep.equal({ reason: 'Unknown', message: 'boom' });
    await shutDown(h);
  });

  it('runs requests concurrently: a slow transition does not delay a status or a launch sent after it', async () => {
    const engine = new FakeEngine();
    const slow = deferred<FleetTransitionResult>();
    engine.onTransition = () => slow.promise;
    const h = startHarness({ engine });
    h.send({ type: 'transition', id: 'slow', taskId: 't1', event: 'START' });
    h.send({ type: 'status', id: 'fast', taskId: 't1' });
    h.send({ type: 'launch', id: 'launch', taskId: 't2', manifest: 'm.yaml' });
    await h.responseTo('fast');
    await h.responseTo('launch');
    expect(h.responses().map((r) => r['id'])).to.deep.equal(['fast', 'launch']);
    slow.resolve({ taskId: 't1', taskState: 'running' });
    await h.responseTo('slow');
    expect(h.responses().map((r) => r['id'])).to.deep.equal(['fast', 'launch', 'slow']);
    await shutDown(h);
  });

  it('hands the requests of one chunk to the engine in the same tick, so the engine can batch them', async () => {
    const engine = new FakeEngine();
    let launchesSeenByNextTurn = -1;
    engine.onLaunch = async (request) => {
      if (launchesSeenByNextTurn === -1) {
        launchesSeenByNextTurn = 0;
        setImmediate(() => (launchesSeenByNextTurn = engine.calls.filter((call) => call.op === 'launch').length));
      }
      return snapshot(request.taskId);
    };
    const h = startHarness({ engine });
    await h.waitFor((line) => line['type'] === 'ready');
    h.send(`${['a', 'b', 'c'].map((t) => JSON.stringify({ type: 'launch', id: t, taskId: t, manifest: 'm.yaml' })).join('\n')}\n`);
    await h.responseTo('c');
    await new Promise((resolve) => setImmediate(resolve));
    expect(launchesSeenByNextTurn).to.equal(3);
    await shutDown(h);
  });

  it('writes exactly one response per request line, errors included', async () => {
    const engine = new FakeEngine();
    engine.onKill = async (taskId) => {
      await new Promise((resolve) => setTimeout(resolve, taskId === 'k1' ? 20 : 1));
      if (taskId === 'k2') throw new EngineError('NotFound', 'gone');
      return 'TASK_KILLED';
    };
    const h = startHarness({ engine });
    const ids = [];
    for (let i = 0; i < 30; i++) {
      const id = `r${i}`;
      ids.push(id);
      const kinds = [
        { type: 'kill', id, taskId: `k${i % 3}` },
        { type: 'status', id, taskId: i % 2 === 0 ? 't' : 'unknown-x' },
        { type: 'launch', id, taskId: 'x', manifest: 'm.yaml' },
        { type: 'launch', id, taskId: 3 },
        { type: 'what', id },
      ];
      h.send(kinds[i % kinds.length] ?? {});
    }
    h.send({ type: 'shutdown', id: 'end' });
    await h.done;
    const answered = h.responses().map((r) => r['id']);
    expect([...answered].sort()).to.deep.equal([...ids, 'end'].sort());
    expect(answered.at(-1)).to.equal('end');
  });

  it('forwards every engine status update as a status line, and drops (and logs) an invalid one', async () => {
    const h = startHarness();
    await h.waitFor((line) => line['type'] === 'ready');
    h.engine.emit({ taskId: 't1', seq: 1, state: 'TASK_STARTING', taskState: undefined, reason: 'Applied' });
    h.engine.emit({ taskId: 't1', seq: 2, state: 'TASK_FAILED', taskState: 'error', reason: 'TaskError', message: 'exit 3' });
    const failed = await h.waitFor((line) => line['type'] === 'status' && line['seq'] === 2);
    expect(failed).to.deep.equal({
      type: 'status',
      taskId: 't1',
      seq: 2,
      state: 'TASK_FAILED',
      taskState: 'error',
      reason: 'TaskError',
      message: 'exit 3',
      time: '2026-01-01T00:00:00.000Z',
    });
    expect(h.lines.filter((line) => line['type'] === 'status').map((line) => line['seq'])).to.deep.equal([1, 2]);
    h.engine.emit({ taskId: 't1', seq: -1 });
    await shutDown(h);
    expect(h.lines.filter((line) => line['type'] === 'status')).to.have.length(2);
    expect(h.logs.some((line) => line.includes('dropped an invalid status update of t1'))).to.equal(true);
  });

  it('answers malformed lines with errors and stays up; blank lines are ignored', async () => {
    const h = startHarness();
    h.send('not json\n');
    h.send('\n   \n');
    h.send('{"type":"reboot","id":1}\n');
    h.send('{"type":"kill","id":2}\n');
    h.send('{"type":"status","id":3}\n');
    await h.responseTo(3);
    const responses = h.responses();
    expect(responses.map((r) => [r['id'], r['ok'] === false ? (r['error'] as { reason?: unknown }).reason : 'ok'])).to.deep.equal([
      [null, 'BadRequest'],
      [1, 'UnknownType'],
      [2, 'BadRequest'],
      [3, 'ok'],
    ]);
    await shutDown(h);
  });

  it('refuses a 10 MiB line with LineTooLong without keeping it, and answers the next line', async () => {
    const h = startHarness();
    const chunk = 'x'.repeat(256 * 1024);
    h.input.write('{"type":"status","id":"big","pad":"');
    for (let i = 0; i < 40; i++) h.input.write(chunk);
    h.input.write('"}\n{"type":"status","id":"after"}\n');
    await h.responseTo('after');
    const tooLong = await h.responseTo(null);
    expect(tooLong['error']).to.deep.equal({ reason: 'LineTooLong', message: 'request line longer than 1048576 bytes; skipped up to its newline' });
    expect(h.responses()).to.have.length(2);
    await shutDown(h);
  });

  it('honours maxLineBytes', async () => {
    const h = startHarness({ bridge: { maxLineBytes: 64 } });
    h.send({ type: 'launch', id: 'long', taskId: 't1', manifest: 'a/very/long/path/to/a/manifest/template/file.yaml' });
    h.send({ type: 'status', id: 1 });
    await h.responseTo(1);
    expect(((await h.responseTo(null))['error'] as { reason?: unknown }).reason).to.equal('LineTooLong');
    await shutDown(h);
  });

  describe('shutdown', () => {
    it('stops accepting, waits for requests in flight, closes the engine, then answers the shutdown last', async () => {
      const engine = new FakeEngine();
      const slow = deferred<FleetTransitionResult>();
      engine.onTransition = () => slow.promise;
      const h = startHarness({ engine });
      h.send({ type: 'transition', id: 'slow', taskId: 't1', event: 'START' });
      await eventually(() => engine.ops().includes('transition'));
      h.send({ type: 'shutdown', id: 'bye' });
      h.send({ type: 'status', id: 'late' });
      h.send({ type: 'shutdown', id: 'again' });
      expect((await h.responseTo('late'))['error']).to.deep.equal({
        reason: 'ShuttingDown',
        message: 'the bridge is shutting down and accepts no more requests',
      });
      expect(((await h.responseTo('again'))['error'] as { reason?: unknown }).reason).to.equal('ShuttingDown');
      expect(engine.ops()).not.to.include('close');
      engine.emit({ taskId: 't1', seq: 9, taskState: 'running', reason: 'Observed' });
      await h.waitFor((line) => line['type'] === 'status' && line['seq'] === 9);
      slow.resolve({ taskId: 't1', taskState: 'running' });
      const summary = await h.done;
      expect(summary).to.deep.equal({ cause: 'shutdown', requests: 4, abandoned: 0 });
      expect(engine.ops().at(-1)).to.equal('close');
      expect(h.responses().map((r) => r['id'])).to.deep.equal(['late', 'again', 'slow', 'bye']);
      expect(h.lines.at(-1)).to.deep.equal({ type: 'response', id: 'bye', ok: true, result: {} });
      expect(h.logs.join('\n')).to.include('shutting down (shutdown); waiting for 1 request(s) in flight');
    });

    it('answers a request still running at the deadline ShuttingDown, once, and closes the engine with what is left of the deadline', async () => {
      const engine = new FakeEngine();
      const stuck = deferred<FleetTransitionResult>();
      engine.onTransition = () => stuck.promise;
      const h = startHarness({ engine, bridge: { shutdownDeadlineMs: 50 } });
      h.send({ type: 'transition', id: 'stuck', taskId: 't1', event: 'START' });
      await eventually(() => engine.ops().includes('transition'));
      h.send({ type: 'shutdown', id: 'bye' });
      const summary = await h.done;
      expect(summary.abandoned).to.equal(1);
      expect(((await h.responseTo('stuck'))['error'] as { reason?: unknown }).reason).to.equal('ShuttingDown');
      const close = engine.calls.find((call) => call.op === 'close');
      expect(close?.arg).to.have.property('deadlineMs').that.is.within(0, 50);
      stuck.resolve({ taskId: 't1', taskState: 'running' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(h.responses().filter((r) => r['id'] === 'stuck')).to.have.length(1);
    });

    it('shuts down when the input ends, answering the requests already read', async () => {
      const h = startHarness();
      h.input.end('{"type":"status","id":1}\n{"type":"kill","id":2,"taskId":"t1"}');
      const summary = await h.done;
      expect(summary.cause).to.equal('input-end');
      expect(h.responses().map((r) => r['id'])).to.have.members([1, 2]);
      expect(h.engine.ops().at(-1)).to.equal('close');
    });

    it('shuts down on the abort signal (SIGTERM/SIGINT in serve)', async () => {
      const controller = new AbortController();
      const h = startHarness({ bridge: { signal: controller.signal } });
      await h.waitFor((line) => line['type'] === 'ready');
      controller.abort();
      expect((await h.done).cause).to.equal('signal');
      expect(h.engine.ops()).to.deep.equal(['start', 'close']);
    });

    it('stops on the abort signal while the engine is still starting', async () => {
      const engine = new FakeEngine();
      engine.onStart = () => new Promise(() => undefined);
      const controller = new AbortController();
      const h = startHarness({ engine, bridge: { signal: controller.signal } });
      await eventually(() => engine.ops().includes('start'));
      controller.abort();
      expect(await h.done).to.deep.equal({ cause: 'signal', requests: 0, abandoned: 0 });
      expect(engine.ops()).to.deep.equal(['start', 'close']);
      expect(h.lines).to.deep.equal([]);
    });

    it('rejects when the engine cannot start, after closing it, and prints no ready line', async () => {
      const engine = new FakeEngine();
      engine.onStart = () => Promise.reject(new EngineError('Forbidden', 'cannot list tasks'));
      const h = startHarness({ engine });
      let failure: unknown;
      await h.done.catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(EngineError);
      expect(engine.ops()).to.deep.equal(['start', 'close']);
      expect(h.lines).to.deep.equal([]);
    });

    it("answers the shutdown with the engine's close error and rejects with it", async () => {
      const engine = new FakeEngine();
      engine.onClose = () => Promise.reject(new EngineError('Timeout', 'kubectl calls still running'));
      const h = startHarness({ engine });
      h.send({ type: 'shutdown', id: 'bye' });
      let failure: unknown;
      await h.done.catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(EngineError);
      expect((await h.responseTo('bye'))['error']).to.deep.equal({ reason: 'Timeout', message: 'kubectl calls still running' });
    });

    it('stops when the executor stops reading (output error), without writing further', async () => {
      const h = startHarness();
      await h.waitFor((line) => line['type'] === 'ready');
      h.output.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      const summary = await h.done;
      expect(summary.cause).to.equal('output-error');
      expect(h.logs.join('\n')).to.include('cannot write to the executor: write EPIPE');
    });
  });
});
