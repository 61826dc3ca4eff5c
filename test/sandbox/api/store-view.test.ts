import { expect } from 'chai';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.ts';

describe('sandbox store view', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ tls: false, namespace: 'work' });
  });
  after(() => sb.close());

  it('creates the context namespace, default and the system namespaces at start', () => {
    expect(sb.store.list('namespaces').map((n) => (n['metadata'] as { name: string }).name)).to.deep.equal([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
      'work',
    ]);
  });

  it('puts objects through admission, replaces them, sets status and deletes', () => {
    const cm = sb.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'work' }, data: { a: '1' } });
    expect((cm['metadata'] as { uid: string }).uid).to.be.a('string');
    sb.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'work' }, data: { a: '2' } });
    expect(sb.store.get('cm', 'work', 'c')?.['data']).to.deep.equal({ a: '2' });
    expect(() => sb.store.put({ apiVersion: 'v1', kind: 'Nope', metadata: { name: 'x' } })).to.throw(/no resource serves v1 Nope/);
    expect(sb.store.delete('configmaps', 'work', 'c')).to.equal(true);
    expect(sb.store.delete('configmaps', 'work', 'c')).to.equal(false);
  });

  it('keeps returned objects independent of the stored ones', () => {
    sb.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd', namespace: 'work' }, data: { a: '1' } });
    const copy = sb.store.get('configmaps', 'work', 'd')!;
    (copy['data'] as Record<string, string>)['a'] = 'changed';
    expect(sb.store.get('configmaps', 'work', 'd')?.['data']).to.deep.equal({ a: '1' });
  });
});
