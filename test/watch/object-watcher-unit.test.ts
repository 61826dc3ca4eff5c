/**
 * The watcher's reconnect decisions, with a scripted kubectl (injected stream spawner): no
 * process, no server, no real timers.
 */
import { expect } from 'chai';
import { Kubectl } from '../../src/kubectl/runner.ts';
import type { StreamSpawnFn } from '../../src/kubectl/runner.ts';
import { watchObject, type WatchEvent } from '../../src/watch/object-watcher.ts';

const task = (state: string) => ({ apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { name: 't1', namespace: 'ns' }, status: { state } });
const line = (type: string, object: unknown) => JSON.stringify({ type, object });
const ref = { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 't1', namespace: 'ns' };

/** Each run prints its lines, then ends with the given exit code. */
function scripted(runs: { lines: string[]; exitCode: number; stderr?: string }[]): { spawn: StreamSpawnFn; started: () => number } {
  let started = 0;
  const spawn: StreamSpawnFn = (file, args, options) => {
    const run = runs[Math.min(started, runs.length - 1)]!;
    started += 1;
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const done = (async () => {
      await Promise.resolve();
      for (const l of run.lines) options.onLine(l);
      if (run.exitCode === -1) await stopped; // -1: keeps streaming until stopped
      return { argv: [file, ...args], exitCode: run.exitCode === -1 ? 1 : run.exitCode, stdout: '', stderr: run.stderr ?? '', durationMs: 1, timedOut: false };
    })();
    return { done, stop };
  };
  return { spawn, started: () => started };
}

describe('watch/object-watcher (scripted kubectl)', () => {
  it('backs off when watches end cleanly before any change came through, instead of spinning', async () => {
    const { spawn, started } = scripted([{ lines: [line('ADDED', task('standby'))], exitCode: 0 }]);
    const sleeps: number[] = [];
    let events = 0;
    const watcher = watchObject({
      kubectl: new Kubectl({ streamSpawn: spawn }),
      ref,
      onEvent: () => {
        events += 1;
      },
      backoff: { initialMs: 100, maxMs: 400 },
      absenceCheckMs: 60_000,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length >= 4) void watcher.stop(); // not awaited: stop() waits for this loop
      },
    });
    await watcher.done;
    expect(started()).to.equal(4);
    expect(sleeps.length).to.equal(4);
    expect(sleeps[3]).to.be.greaterThan(sleeps[0]!); // exponential, not a fixed spin
    expect(events).to.equal(4); // the object is still reported each time
  });

  it('reconnects at once after a watch that delivered changes', async () => {
    const { spawn, started } = scripted([
      { lines: [line('ADDED', task('standby')), line('MODIFIED', task('configured'))], exitCode: 0 },
      { lines: [line('ADDED', task('configured'))], exitCode: -1 },
    ]);
    const sleeps: number[] = [];
    const seen: WatchEvent[] = [];
    const watcher = watchObject({
      kubectl: new Kubectl({ streamSpawn: spawn }),
      ref,
      onEvent: (e) => seen.push(e),
      absenceCheckMs: 60_000,
      sleep: async (ms) => void sleeps.push(ms),
    });
    while (started() < 2 || seen.length < 3) await new Promise((r) => setTimeout(r, 5));
    await watcher.stop();
    expect(sleeps).to.deep.equal([]);
  });

  it('treats an ERROR event as the end of the watch: 410 relists at once, others count as failures', async () => {
    const gone = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 1 (5)', reason: 'Expired', code: 410 };
    const boom = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcd is sad', reason: 'InternalError', code: 500 };
    const { spawn } = scripted([
      { lines: [line('ADDED', task('standby')), line('ERROR', gone)], exitCode: -1 },
      { lines: [line('ADDED', task('standby')), line('ERROR', boom)], exitCode: -1 },
      { lines: [line('ADDED', task('running'))], exitCode: -1 },
    ]);
    const seen: WatchEvent[] = [];
    const sleeps: number[] = [];
    const watcher = watchObject({
      kubectl: new Kubectl({ streamSpawn: spawn }),
      ref,
      onEvent: (e) => seen.push(e),
      absenceCheckMs: 60_000,
      sleep: async (ms) => void sleeps.push(ms),
    });
    while (!seen.some((e) => e.type === 'observed' && (e.object['status'] as { state: string }).state === 'running'))
      await new Promise((r) => setTimeout(r, 5));
    await watcher.stop();
    const errors = seen.filter((e) => e.type === 'error');
    expect(errors).to.have.length(1);
    expect(errors[0]?.type === 'error' ? errors[0].error.reason : '').to.equal('ServerError');
    expect(errors[0]?.type === 'error' ? errors[0].error.message : '').to.contain('etcd is sad');
    expect(sleeps).to.have.length(1); // only after the 500, not after the 410
    expect(seen.some((e) => e.type === 'observed' && (e.object['status'] as { state: string }).state === 'error')).to.equal(false);
  });

  it('backs off when the server keeps answering 410, instead of relisting in a tight loop', async () => {
    const gone = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 };
    const { spawn, started } = scripted([{ lines: [line('ADDED', task('standby')), line('ERROR', gone)], exitCode: -1 }]);
    const sleeps: number[] = [];
    const watcher = watchObject({
      kubectl: new Kubectl({ streamSpawn: spawn }),
      ref,
      onEvent: () => {},
      absenceCheckMs: 60_000,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length >= 3) void watcher.stop(); // not awaited: stop() waits for this loop
      },
    });
    await watcher.done;
    expect(started()).to.equal(4); // the first 410 relists at once, every later one waits
    expect(sleeps).to.have.length(3);
  });
});
