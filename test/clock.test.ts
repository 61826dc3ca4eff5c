import { expect } from 'chai';
import { sleepOrReject, sleepUntilAborted, systemClock } from '../src/clock.ts';

describe('clock: the Clock and Sleep seams', () => {
  it('sleepOrReject rejects when the signal aborts, before or during the wait', async () => {
    const before = new AbortController();
    before.abort(new Error('gave up'));
    const early = await sleepOrReject(10_000, before.signal).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(early).to.be.instanceOf(Error).with.property('name', 'AbortError');
    const during = new AbortController();
    const waiting = sleepOrReject(10_000, during.signal).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    during.abort(new Error('gave up'));
    expect(await waiting)
      .to.be.instanceOf(Error)
      .with.property('name', 'AbortError');
  });

  it('sleepUntilAborted resolves at once when the signal aborts, before or during the wait', async () => {
    const before = new AbortController();
    before.abort();
    expect(await sleepUntilAborted(10_000, before.signal)).to.equal(undefined);
    const during = new AbortController();
    const waiting = sleepUntilAborted(10_000, during.signal);
    during.abort();
    expect(await waiting).to.equal(undefined);
  });

  it('both wait the time out without a signal; systemClock reads Date.now and its timers cancel', async () => {
    const start = systemClock.now();
    await Promise.all([sleepOrReject(20), sleepUntilAborted(20)]);
    expect(systemClock.now() - start).to.be.at.least(15);
    let fired = false;
    const cancel = systemClock.setTimer(() => (fired = true), 5);
    cancel();
    await sleepUntilAborted(20);
    expect(fired).to.equal(false);
  });
});
