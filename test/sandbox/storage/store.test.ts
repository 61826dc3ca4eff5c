import { expect } from 'chai';
import { Store, type StoreEvent } from '../../../src/sandbox/storage/store.ts';

const obj = (name: string, namespace = 'ns') => ({ metadata: { name, namespace }, data: { v: name } });

describe('sandbox/storage/store', () => {
  it('stamps one increasing resourceVersion across types and keeps serialized JSON', () => {
    const s = new Store({ initialResourceVersion: 10 });
    const a = s.put('g/tasks', obj('a'), 'ADDED');
    const b = s.put('/configmaps', obj('b'), 'ADDED');
    expect([a.resourceVersion, b.resourceVersion]).to.deep.equal([11, 12]);
    expect(JSON.parse(a.json).metadata.resourceVersion).to.equal('11');
    expect(s.resourceVersion).to.equal(12);
  });

  it('lists in namespace then name order, in one namespace or all', () => {
    const s = new Store();
    for (const [n, ns] of [
      ['b', 'y'],
      ['a', 'y'],
      ['c', 'x'],
    ] as const)
      s.put('k', obj(n, ns), 'ADDED');
    expect(s.list('k').map((o) => o.obj['metadata'])).to.deep.equal([
      { name: 'c', namespace: 'x', resourceVersion: '103' },
      { name: 'a', namespace: 'y', resourceVersion: '102' },
      { name: 'b', namespace: 'y', resourceVersion: '101' },
    ]);
    expect(s.list('k', 'y').map((o) => (o.obj['metadata'] as { name: string }).name)).to.deep.equal(['a', 'b']);
    expect(s.count('k')).to.equal(3);
  });

  it('notifies listeners and replays history after a resourceVersion', () => {
    const s = new Store();
    const seen: StoreEvent[] = [];
    s.subscribe((e) => seen.push(e));
    s.put('k', obj('a'), 'ADDED');
    const rv = s.resourceVersion;
    s.put('k', obj('a'), 'MODIFIED');
    s.remove('k', 'ns', 'a');
    expect(seen.map((e) => e.type)).to.deep.equal(['ADDED', 'MODIFIED', 'DELETED']);
    const since = s.eventsSince(rv);
    expect(since === 'expired' ? since : since.map((e) => e.type)).to.deep.equal(['MODIFIED', 'DELETED']);
    expect(s.get('k', 'ns', 'a')).to.equal(undefined);
  });

  it('reports expired when the history no longer reaches back', () => {
    const s = new Store({ historySize: 2 });
    const start = s.resourceVersion;
    for (const n of ['a', 'b', 'c']) s.put('k', obj(n), 'ADDED');
    expect(s.eventsSince(start)).to.equal('expired');
    expect(s.eventsSince(s.oldestWatchable)).to.not.equal('expired');
  });
});
