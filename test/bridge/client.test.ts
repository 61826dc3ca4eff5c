import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { BridgeClient, spawnBridge } from '../../src/bridge/client.ts';
import { BridgeError } from '../../src/bridge/errors.ts';
import { serveBridge, type BridgeSummary } from '../../src/bridge/server.ts';
import type { StatusMessage } from '../../src/bridge/messages.ts';
import type { FleetTransitionResult } from '../../src/fleet/types.ts';
import { reasonOf } from '../../src/errors.ts';
import { FakeEngine, deferred, snapshot } from './fake-engine.ts';

interface Pair {
  readonly client: BridgeClient;
  readonly engine: FakeEngine;
  readonly done: Promise<BridgeSummary>;
  /** The bridge's stdout, which serve's process exit would close. */
  readonly serverOutput: PassThrough;
}

function connect(engine = new FakeEngine()): Pair {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const done = serveBridge({ engine, input: toServer, output: toClient, version: '0.0.0-test' });
  done.catch(() => undefined);
  return { client: new BridgeClient({ input: toClient, output: toServer }), engine, done, serverOutput: toClient };
}

describe('bridge client (over streams, fake engine)', () => {
  it("resolves ready, and types each request's result", async () => {
    const engine = new FakeEngine();
    engine.reattached = ['old'];
    const { client, done } = connect(engine);
    expect(await client.ready).to.deep.equal({ type: 'ready', protocol: 1, version: '0.0.0-test', reattached: ['old'] });
    const launched = await client.launch({ taskId: 't1', manifest: 'm.yaml', env: { A: '1' } });
    expect(launched).to.deep.equal(snapshot('t1'));
    const transitioned = await client.transition({ taskId: 't1', event: 'CONFIGURE', arguments: { environment_id: 'E1' } });
    expect(transitioned.taskState).to.equal('configured');
    expect(await client.kill('t1')).to.deep.equal({ taskId: 't1', state: 'TASK_KILLED' });
    expect((await client.status()).tasks.map((task) => task.taskId)).to.deep.equal(['t1', 't2']);
    expect(await client.request({ type: 'status', taskId: 't9' })).to.deep.equal({ tasks: [snapshot('t9')] });
    await client.close();
    expect((await done).cause).to.equal('shutdown');
  });

  it('rejects with a BridgeError carrying the reason (also readable by reasonOf)', async () => {
    const { client } = connect();
    const unknown = await client.status('unknown-7').catch((error: unknown) => error);
    expect(unknown).to.be.instanceOf(BridgeError);
    expect(unknown).to.include({ reason: 'UnknownTask', message: 'task unknown-7 is not known to this executor' });
    expect(reasonOf(unknown)).to.equal('UnknownTask');
    const bad = await client.kill('').catch((error: unknown) => error);
    expect(bad).to.include({ reason: 'BadRequest', message: 'kill.taskId: must not be empty' });
    await client.close();
  });

  it('matches concurrent responses to their requests by id', async () => {
    const engine = new FakeEngine();
    const slow = deferred<FleetTransitionResult>();
    engine.onTransition = () => slow.promise;
    const { client } = connect(engine);
    const order: string[] = [];
    const transition = client.transition({ taskId: 't1', event: 'START' }).then((result) => order.push(`transition ${result.taskState}`));
    const status = client.status('t1').then((result) => order.push(`status ${result.tasks.length}`));
    await status;
    slow.resolve({ taskId: 't1', taskState: 'running' });
    await transition;
    expect(order).to.deep.equal(['status 1', 'transition running']);
    await client.close();
  });

  it('delivers status updates to listeners and to async iterators, which end with the bridge', async () => {
    const { client, engine, done, serverOutput } = connect();
    await client.ready;
    const heard: StatusMessage[] = [];
    const unsubscribe = client.onStatus((update) => heard.push(update));
    const iterated: number[] = [];
    const iterating = (async () => {
      for await (const update of client.statuses()) iterated.push(update.seq);
    })();
    engine.emit({ taskId: 't1', seq: 1, state: 'TASK_STARTING', taskState: undefined, reason: 'Applied' });
    engine.emit({ taskId: 't1', seq: 2, reason: 'Observed' });
    await client.status();
    expect(heard.map((update) => [update.seq, update.state])).to.deep.equal([
      [1, 'TASK_STARTING'],
      [2, 'TASK_RUNNING'],
    ]);
    unsubscribe();
    engine.emit({ taskId: 't1', seq: 3, reason: 'Observed' });
    await client.status();
    expect(heard).to.have.length(2);
    await client.close();
    await done;
    serverOutput.end();
    await iterating;
    expect(iterated).to.deep.equal([1, 2, 3]);
  });

  it('stops an iterator on its signal', async () => {
    const { client, engine } = connect();
    await client.ready;
    const controller = new AbortController();
    const seen: number[] = [];
    const iterating = (async () => {
      for await (const update of client.statuses({ signal: controller.signal })) {
        seen.push(update.seq);
        if (update.seq === 1) controller.abort();
      }
    })();
    engine.emit({ taskId: 't1', seq: 1, reason: 'Observed' });
    await iterating;
    expect(seen).to.deep.equal([1]);
    await client.close();
  });

  it("rejects pending and later requests with BridgeClosed when the bridge's output ends", async () => {
    const engine = new FakeEngine();
    engine.onKill = () => new Promise(() => undefined);
    const { client, serverOutput } = connect(engine);
    await client.ready;
    const pending = client.kill('t1').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 10));
    serverOutput.end();
    expect(await pending).to.include({ reason: 'BridgeClosed' });
    expect(await client.status().catch((error: unknown) => error)).to.include({ reason: 'BridgeClosed' });
    await client.ended;
  });
});

describe('spawnBridge', () => {
  it('runs node on bin/kubectl-task.js serve (its own PID) and reports a usage error as exit 2 before ready', async () => {
    const stderr: string[] = [];
    const client = spawnBridge({ args: ['-n', 'demo', '-A'], stderr: 'pipe' });
    client.child?.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    expect(client.pid).to.be.a('number');
    const exit = new Promise<number | null>((resolve) => client.child?.once('exit', (code) => resolve(code)));
    const ready = await client.ready.catch((error: unknown) => error);
    expect(ready).to.include({ reason: 'BridgeClosed' });
    expect(await exit).to.equal(2);
    expect(stderr.join('')).to.include('serve: -n/--namespace and -A/--all-namespaces exclude each other');
    await client.close();
  });
});
