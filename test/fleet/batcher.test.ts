import { expect } from 'chai';
import { Batcher, type Outcome } from '../../src/fleet/batcher.ts';

/** A run whose batches settle only when the test says so. */
function controlledRun<I>() {
  const batches: { items: readonly I[]; settle: () => void }[] = [];
  const run = (items: readonly I[]): Promise<readonly Outcome<I>[]> =>
    new Promise((resolve) => batches.push({ items, settle: () => resolve(items.map((value) => ({ ok: true, value }))) }));
  return { batches, run };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('fleet/batcher', () => {
  it('groups what arrives together into one batch, each request settled with its own outcome', async () => {
    const batcher = new Batcher<number, number>({
      maxSize: 10,
      delayMs: 0,
      run: async (items) => items.map((n) => (n === 2 ? { ok: false, error: new Error('two is bad') } : { ok: true, value: n * 10 })),
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.add(n)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).to.deep.equal([10, 'two is bad', 30]);
  });

  it('runs one batch at a time by default: requests that arrive meanwhile go out together in the next, at once', async () => {
    const { batches, run } = controlledRun<number>();
    const batcher = new Batcher<number, number>({ maxSize: 3, delayMs: 0, run });
    const first = [1, 2, 3, 4].map((n) => batcher.add(n));
    await tick();
    expect(batches.map((b) => b.items)).to.deep.equal([[1, 2, 3]]);
    expect(batcher.running).to.equal(1);
    const later = [5, 6].map((n) => batcher.add(n));
    await tick();
    expect(batches).to.have.length(1, 'a second batch started while the first ran');
    batches[0]?.settle();
    await Promise.all(first.slice(0, 3));
    await tick();
    expect(batches.map((b) => b.items)).to.deep.equal([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    batches[1]?.settle();
    expect(await Promise.all([...first.slice(3), ...later])).to.deep.equal([4, 5, 6]);
  });

  it('runs up to maxInFlight batches at once', async () => {
    const { batches, run } = controlledRun<number>();
    const batcher = new Batcher<number, number>({ maxSize: 2, delayMs: 0, maxInFlight: 2, run });
    const all = [1, 2, 3, 4, 5].map((n) => batcher.add(n));
    await tick();
    expect(batches.map((b) => b.items)).to.deep.equal([
      [1, 2],
      [3, 4],
    ]);
    batches[0]?.settle();
    await tick();
    await tick();
    expect(batches.map((b) => b.items)).to.deep.equal([[1, 2], [3, 4], [5]]);
    batches[1]?.settle();
    batches[2]?.settle();
    expect(await Promise.all(all)).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('drain waits for the queued requests too, not only the batches running', async () => {
    const { batches, run } = controlledRun<number>();
    const batcher = new Batcher<number, number>({ maxSize: 1, delayMs: 1000, run });
    const all = [1, 2].map((n) => batcher.add(n));
    let drained = false;
    const draining = batcher.drain().then(() => (drained = true));
    await tick();
    batches[0]?.settle();
    await tick();
    await tick();
    expect(drained).to.equal(false);
    batches[1]?.settle();
    await draining;
    expect(await Promise.all(all)).to.deep.equal([1, 2]);
  });

  it('a failing run rejects every request of its batch, and the next batch still runs', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>({
      maxSize: 1,
      delayMs: 0,
      run: async (items) => {
        calls += 1;
        if (calls === 1) throw new Error('kubectl could not start');
        return items.map((value) => ({ ok: true, value }));
      },
    });
    const [a, b] = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(a.status === 'rejected' && (a.reason as Error).message).to.equal('kubectl could not start');
    expect(b.status === 'fulfilled' && b.value).to.equal(2);
  });

  it('refuses options that cannot work, naming the option', () => {
    const run = async (): Promise<Outcome<number>[]> => [];
    expect(() => new Batcher({ maxSize: 0, delayMs: 0, run })).to.throw(/maxSize must be an integer >= 1, got 0/);
    expect(() => new Batcher({ maxSize: 1, delayMs: -1, run })).to.throw(/delayMs must be >= 0, got -1/);
    expect(() => new Batcher({ maxSize: 1, delayMs: 0, maxInFlight: 0, run })).to.throw(/maxInFlight must be an integer >= 1, got 0/);
  });
});
