import { expect } from 'chai';
import type { Clock } from '../../src/clock.ts';
import type { KubeObject } from '../../src/kubectl/types.ts';
import { StatusTracker, type Observation } from '../../src/task/status-tracker.ts';

function task(state?: string, error?: string): KubeObject {
  return {
    apiVersion: 'aliecs.alice.cern/v1alpha1',
    kind: 'Task',
    metadata: { name: 't1', namespace: 'ns', generation: 2 },
    spec: { state: 'standby' },
    ...(state === undefined ? {} : { status: { state, ...(error === undefined ? {} : { error }) } }),
  };
}

/** A manual clock so timeouts fire when the test says so, never on the wall clock. */
function manualTimer(): { clock: Clock; fire: () => void; cancelled: () => boolean } {
  let pending: (() => void) | undefined;
  let cancelled = false;
  return {
    clock: {
      now: () => 0,
      setTimer: (fn) => {
        pending = fn;
        return () => {
          cancelled = true;
          pending = undefined;
        };
      },
    },
    fire: () => pending?.(),
    cancelled: () => cancelled,
  };
}

const reached = (target: string) => (o: Observation | 'deleted') =>
  o === 'deleted'
    ? { settle: 'reject' as const, error: new Error('deleted') }
    : o.state === target
      ? { settle: 'resolve' as const, value: o }
      : o.state === 'error'
        ? { settle: 'reject' as const, error: new Error(`error: ${o.error}`) }
        : undefined;

describe('task/status-tracker', () => {
  it('parses status.state, status.error and generation from an object', () => {
    const tracker = new StatusTracker();
    const { previous, current } = tracker.observe(task('CONFIGURED', 'none'));
    expect(previous).to.equal(undefined);
    expect(current.state).to.equal('configured');
    expect(current.error).to.equal('none');
    expect(current.generation).to.equal(2);
    expect(tracker.observe(task('weird')).current).to.include({ state: undefined, unknownState: 'weird' });
  });

  it('resolves at once when the current observation already decides', async () => {
    const tracker = new StatusTracker();
    tracker.observe(task('running'));
    const timer = manualTimer();
    const o = await tracker.waitFor({ decide: reached('running'), timeoutMs: 10, onTimeout: () => new Error('timeout'), clock: timer.clock });
    expect(o.state).to.equal('running');
  });

  it('resolves on a later observation and cancels its timer', async () => {
    const tracker = new StatusTracker();
    tracker.observe(task('standby'));
    const timer = manualTimer();
    const waiting = tracker.waitFor({ decide: reached('configured'), timeoutMs: 10, onTimeout: () => new Error('timeout'), clock: timer.clock });
    tracker.observe(task('standby'));
    tracker.observe(task('configured'));
    expect((await waiting).state).to.equal('configured');
    expect(timer.cancelled()).to.equal(true);
  });

  it('rejects fast on error with the status.error message', async () => {
    const tracker = new StatusTracker();
    const timer = manualTimer();
    const waiting = tracker.waitFor({ decide: reached('configured'), timeoutMs: 10, onTimeout: () => new Error('timeout'), clock: timer.clock });
    tracker.observe(task('error', 'readout: cannot open card'));
    await expectRejection(waiting, /error: readout: cannot open card/);
  });

  it('times out with the last observation', async () => {
    const tracker = new StatusTracker();
    tracker.observe(task('standby'));
    const timer = manualTimer();
    const waiting = tracker.waitFor({
      decide: reached('configured'),
      timeoutMs: 10,
      onTimeout: (last) => new Error(`timed out, last ${last?.state}`),
      clock: timer.clock,
    });
    timer.fire();
    await expectRejection(waiting, /timed out, last standby/);
  });

  it('rejects waiters on deletion and on abortAll', async () => {
    const tracker = new StatusTracker();
    const a = tracker.waitFor({ decide: reached('running'), timeoutMs: 10, onTimeout: () => new Error('timeout'), clock: manualTimer().clock });
    tracker.markDeleted();
    await expectRejection(a, /deleted/);
    const b = tracker.waitFor({ decide: () => undefined, timeoutMs: 10, onTimeout: () => new Error('timeout'), clock: manualTimer().clock });
    tracker.abortAll(new Error('killed'));
    await expectRejection(b, /killed/);
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected a rejection matching ${pattern}`);
}

describe('StatusTracker ordering: an observation never replaces a newer one', () => {
  const at = (state: string, resourceVersion: string, uid = 'u1'): KubeObject => {
    const object = task(state);
    return { ...object, metadata: { ...object.metadata, uid, resourceVersion } };
  };

  it('ignores an object with a lower resourceVersion (a late patch response after the watch event)', () => {
    const tracker = new StatusTracker();
    tracker.observe(at('standby', '10'));
    expect(tracker.observe(at('configured', '12')).stale).to.equal(false);
    const late = tracker.observe(at('standby', '11'));
    expect(late.stale).to.equal(true);
    expect(late.current.state).to.equal('configured');
    expect(tracker.last?.state).to.equal('configured');
  });

  it('treats the same resourceVersion as the same write (a relist replay is not news)', () => {
    const tracker = new StatusTracker();
    tracker.observe(at('configured', '7'));
    expect(tracker.observe(at('configured', '7')).stale).to.equal(true);
  });

  it('compares versions as integers, not strings (9 < 10)', () => {
    const tracker = new StatusTracker();
    tracker.observe(at('standby', '9'));
    expect(tracker.observe(at('configured', '10')).stale).to.equal(false);
    expect(tracker.observe(at('standby', '9')).stale).to.equal(true);
  });

  it('accepts a re-created object (another uid) and versions it cannot order', () => {
    const tracker = new StatusTracker();
    tracker.observe(at('running', '50'));
    expect(tracker.observe(at('standby', '3', 'u2')).stale).to.equal(false);
    expect(tracker.observe(at('configured', 'opaque-a', 'u2')).stale).to.equal(false);
  });

  it('does not wake a waiter with a stale object', async () => {
    const tracker = new StatusTracker();
    tracker.observe(at('configured', '12'));
    let woke = 0;
    const waiting = tracker.waitFor({
      decide: (o) => {
        if (o !== 'deleted' && o.state === 'running') return { settle: 'resolve', value: o };
        woke++;
        return undefined;
      },
      timeoutMs: 10_000,
      onTimeout: () => new Error('timeout'),
    });
    const before = woke;
    tracker.observe(at('standby', '11'));
    expect(woke).to.equal(before);
    tracker.observe(at('running', '13'));
    expect((await waiting).state).to.equal('running');
  });
});
