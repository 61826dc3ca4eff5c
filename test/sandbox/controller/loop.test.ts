import { expect } from 'chai';
import type { Clock } from '../../../src/clock.ts';
import type { JsonObject } from '../../../src/json.ts';
import { Controller, type StatusWriter, type TaskEvent, type TaskKey, type TaskSource, type WriteOutcome } from '../../../src/sandbox/controller/controller.ts';

class FakeClock implements Clock {
  #now = 0;
  #nextId = 0;
  readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const id = this.#nextId++;
    this.timers.set(id, { at: this.#now + ms, fn });
    return () => this.timers.delete(id);
  }

  /** Moves time forward, firing due timers in order and letting async writes settle. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flush();
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].fn();
    }
    this.#now = target;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

class FakeSource implements TaskSource {
  onEvent: ((event: TaskEvent) => void) | undefined;
  state: 'new' | 'started' | 'stopped' = 'new';
  start(onEvent: (event: TaskEvent) => void): void {
    this.onEvent = onEvent;
    this.state = 'started';
  }
  async stop(): Promise<void> {
    this.state = 'stopped';
  }
  emit(event: TaskEvent): void {
    if (this.onEvent === undefined) throw new Error('FakeSource: not started');
    this.onEvent(event);
  }
}

/** Keeps its own copy of each Task, like a server, and answers with it. */
class FakeWriter implements StatusWriter {
  readonly calls: { key: TaskKey; status: JsonObject; at: number }[] = [];
  readonly objects = new Map<string, JsonObject>();
  next: WriteOutcome['kind'] = 'written';
  rv = 100;
  readonly clock: FakeClock;
  constructor(clock: FakeClock) {
    this.clock = clock;
  }
  async writeStatus(key: TaskKey, status: JsonObject): Promise<WriteOutcome> {
    this.calls.push({ key, status, at: this.clock.now() });
    if (this.next === 'failed') return { kind: 'failed', message: 'injected' };
    if (this.next === 'gone') return { kind: 'gone' };
    const id = `${key.namespace}/${key.name}`;
    const current = this.objects.get(id);
    if (current === undefined) return { kind: 'gone' };
    const metadata = current['metadata'] as JsonObject;
    const updated: JsonObject = {
      ...current,
      metadata: { ...metadata, resourceVersion: String(++this.rv) },
      status: { ...((current['status'] as JsonObject | undefined) ?? {}), ...status },
    };
    this.objects.set(id, updated);
    return { kind: 'written', object: updated };
  }
}

function task(name: string, spec: string, opts: { status?: string; rv?: number; annotations?: Record<string, string> } = {}): JsonObject {
  const obj: JsonObject = {
    apiVersion: 'aliecs.alice.cern/v1alpha1',
    kind: 'Task',
    metadata: { name, namespace: 'ns', resourceVersion: String(opts.rv ?? 1), annotations: opts.annotations ?? {} },
    spec: { state: spec },
  };
  if (opts.status !== undefined) obj['status'] = { state: opts.status };
  return obj;
}

function setup(delayMs = 200) {
  const clock = new FakeClock();
  const source = new FakeSource();
  const writer = new FakeWriter(clock);
  const logs: string[] = [];
  const controller = new Controller({ source, writer, delayMs, clock, retryMs: 1000, log: (l) => logs.push(l) });
  /** Simulates a client change: stored server-side and delivered by the watch. */
  const put = (obj: JsonObject): void => {
    const meta = obj['metadata'] as JsonObject;
    writer.objects.set(`ns/${String(meta['name'])}`, obj);
    source.emit({ type: 'upsert', object: obj });
  };
  return { clock, source, writer, controller, logs, put };
}

describe('sandbox/controller/controller (loop)', () => {
  it('moves through idle → running → stopped and starts/stops its source', async () => {
    const { controller, source } = setup();
    expect(controller.state).to.equal('idle');
    controller.start();
    expect(controller.state).to.equal('running');
    expect(source.state).to.equal('started');
    expect(() => controller.start()).to.throw(/start\(\) called in state running/);
    await controller.stop();
    expect(controller.state).to.equal('stopped');
    expect(source.state).to.equal('stopped');
  });

  it('writes spec.state into status after the delay, not before', async () => {
    const { clock, writer, controller, put } = setup(200);
    controller.start();
    put(task('t1', 'standby'));
    await clock.advance(199);
    expect(writer.calls).to.have.length(0);
    await clock.advance(1);
    expect(writer.calls.map((c) => c.status)).to.deep.equal([{ state: 'standby' }]);
    expect(controller.writes).to.equal(1);
    // The server's answer is taken as the new truth: nothing more to do.
    await clock.advance(10_000);
    expect(writer.calls).to.have.length(1);
  });

  it('does not write twice when the watch event of its own write arrives late', async () => {
    const { clock, writer, controller, source, put } = setup(100);
    controller.start();
    const first = task('t1', 'configured', { status: 'standby', rv: 5 });
    put(first);
    await clock.advance(100);
    expect(writer.calls).to.have.length(1);
    source.emit({ type: 'upsert', object: first }); // stale replay (older resourceVersion)
    await clock.advance(1000);
    expect(writer.calls).to.have.length(1);
  });

  it('plans the next write when its write answers after a newer watch event (the answer is older, the event was not planned)', async () => {
    const clock = new FakeClock();
    const source = new FakeSource();
    const calls: JsonObject[] = [];
    let answer: (outcome: WriteOutcome) => void = () => {};
    const writer: StatusWriter = {
      writeStatus: (_key, status) => {
        calls.push(status);
        return new Promise((resolve) => (answer = resolve));
      },
    };
    const controller = new Controller({ source, writer, delayMs: 20, clock });
    controller.start();
    source.emit({ type: 'upsert', object: task('t1', 'standby', { rv: 1 }) });
    await clock.advance(20);
    expect(calls).to.deep.equal([{ state: 'standby' }]);
    // While the write is in flight: its own change, then a client's (spec.state running).
    source.emit({ type: 'upsert', object: task('t1', 'standby', { status: 'standby', rv: 2 }) });
    source.emit({ type: 'upsert', object: task('t1', 'running', { status: 'standby', rv: 3 }) });
    answer({ kind: 'written', object: task('t1', 'standby', { status: 'standby', rv: 2 }) });
    await clock.advance(20);
    expect(calls).to.deep.equal([{ state: 'standby' }, { state: 'running' }]);
    answer({ kind: 'written', object: task('t1', 'running', { status: 'running', rv: 4 }) });
    await controller.stop();
  });

  it('restarts the delay when spec.state changes before the write', async () => {
    const { clock, writer, controller, put } = setup(200);
    controller.start();
    put(task('t1', 'configured', { status: 'standby', rv: 1 }));
    await clock.advance(150);
    put(task('t1', 'running', { status: 'standby', rv: 2 }));
    await clock.advance(150);
    expect(writer.calls).to.have.length(0);
    await clock.advance(50);
    expect(writer.calls.map((c) => [c.at, c.status])).to.deep.equal([[350, { state: 'running' }]]);
  });

  it('cancels the pending write when the Task is deleted', async () => {
    const { clock, writer, controller, source, put } = setup(200);
    controller.start();
    const t = task('t1', 'configured');
    put(t);
    source.emit({ type: 'delete', object: t });
    await clock.advance(1000);
    expect(writer.calls).to.have.length(0);
    expect(controller.tracked).to.deep.equal([]);
  });

  it('forgets Tasks missing from a sync (relist) and plans the listed ones', async () => {
    const { clock, writer, controller, source, put } = setup(200);
    controller.start();
    put(task('gone', 'configured'));
    const kept = task('kept', 'running', { status: 'configured' });
    writer.objects.set('ns/kept', kept);
    source.emit({ type: 'sync', objects: [kept] });
    expect(controller.tracked).to.deep.equal(['ns/kept']);
    await clock.advance(200);
    expect(writer.calls.map((c) => c.key.name)).to.deep.equal(['kept']);
  });

  it('runs the done hook after running is reached, then stays done', async () => {
    const { clock, writer, controller, put } = setup(100);
    controller.start();
    put(task('t1', 'running', { status: 'configured', annotations: { 'kubectl-task.io/fake-done-after-ms': '500' } }));
    await clock.advance(100);
    await clock.advance(499);
    expect(writer.calls.map((c) => c.status['state'])).to.deep.equal(['running']);
    await clock.advance(1);
    expect(writer.calls.map((c) => [c.at, c.status['state']])).to.deep.equal([
      [100, 'running'],
      [600, 'done'],
    ]);
    put(task('t1', 'standby', { status: 'done', rv: 1000 }));
    await clock.advance(10_000);
    expect(writer.calls).to.have.length(2);
  });

  it('retries a failed write after retryMs and forgets a Task that is gone', async () => {
    const { clock, writer, controller, put, logs } = setup(100);
    controller.start();
    writer.next = 'failed';
    put(task('t1', 'configured'));
    await clock.advance(100);
    expect(writer.calls).to.have.length(1);
    expect(logs.join('\n')).to.match(/ns\/t1 failed: injected/);
    writer.next = 'written';
    await clock.advance(999);
    expect(writer.calls).to.have.length(1);
    await clock.advance(1);
    expect(writer.calls).to.have.length(2);
    expect(controller.writes).to.equal(1);

    writer.next = 'gone';
    put(task('t1', 'running', { status: 'configured', rv: 500 }));
    await clock.advance(100);
    expect(controller.tracked).to.deep.equal([]);
  });

  it('setDelay re-plans pending writes with the new delay', async () => {
    const { clock, writer, controller, put } = setup(1000);
    controller.start();
    put(task('t1', 'configured'));
    await clock.advance(10);
    controller.setDelay(20);
    await clock.advance(10);
    expect(writer.calls.map((c) => c.at)).to.deep.equal([20]);
    expect(() => controller.setDelay(-1)).to.throw(/delay must be >= 0/);
  });

  it('ignores events and fires nothing after stop()', async () => {
    const { clock, writer, controller, put } = setup(100);
    controller.start();
    put(task('t1', 'configured'));
    await controller.stop();
    await clock.advance(1000);
    expect(writer.calls).to.have.length(0);
    expect(clock.timers.size).to.equal(0);
  });
});
