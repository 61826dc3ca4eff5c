import { expect } from 'chai';
import { Kubectl } from '../../../src/kubectl/runner.ts';
import { sandboxPerTest, until, type Call, type Response } from '../sandbox-client.ts';

const TASKS = '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks';
const CM = '/api/v1/namespaces/test/configmaps';
const meta = (r: Response) => r.json['metadata'] as Record<string, unknown>;

describe('sandbox DELETE options and garbage collection', function () {
  this.timeout(20_000);
  const ctx = sandboxPerTest({ crd: 'project' });
  const call: Call = (method, path, options) => ctx.call(method, path, options);

  const owned = async (name: string, owner: Response) => {
    const ref = { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: String(meta(owner)['name']), uid: String(meta(owner)['uid']) };
    const r = await call('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: [ref] }, data: {} } });
    expect(r.status, r.text).to.equal(201);
  };
  const owner = async (name: string, finalizers?: string[]) => {
    const r = await call('POST', TASKS, {
      body: { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { name, ...(finalizers ? { finalizers } : {}) }, spec: { state: 'standby' } },
    });
    expect(r.status, r.text).to.equal(201);
    return r;
  };
  const exists = async (path: string) => (await call('GET', path)).status === 200;

  it('rejects an unknown propagationPolicy with 422 like the apiserver', async () => {
    await owner('a');
    const r = await call('DELETE', `${TASKS}/a`, { body: { propagationPolicy: 'Sideways' } });
    expect(r.status).to.equal(422);
    expect(r.json['message']).to.equal(
      'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"',
    );
    expect(r.json['details']).to.deep.include({ group: 'meta.k8s.io', kind: 'DeleteOptions' });
    const q = await call('DELETE', `${TASKS}/a?propagationPolicy=nope`);
    expect(q.status).to.equal(422);
    expect(await exists(`${TASKS}/a`)).to.equal(true);
  });

  it('Background deletes dependents; Orphan keeps them without the ownerReference', async () => {
    await owned('bg-dep', await owner('bg'));
    await owned('orphan-dep', await owner('orphan'));
    expect((await call('DELETE', `${TASKS}/bg`, { body: { propagationPolicy: 'Background' } })).status).to.equal(200);
    await until(() => ctx.sandbox.store.get('configmaps', 'test', 'bg-dep') === undefined, 'the dependent to be collected');
    const orphan = await call('DELETE', `${TASKS}/orphan`, { body: { propagationPolicy: 'Orphan' } });
    expect(orphan.status).to.equal(200);
    const kept = await call('GET', `${CM}/orphan-dep`);
    expect(kept.status).to.equal(200);
    expect(meta(kept)).to.not.have.property('ownerReferences');
  });

  it('Foreground returns the object with the foregroundDeletion finalizer and completes once dependents are gone', async () => {
    const o = await owner('fg');
    await owned('fg-dep', o);
    const del = await call('DELETE', `${TASKS}/fg`, { body: { propagationPolicy: 'Foreground' } });
    expect(del.status).to.equal(200);
    expect(del.json['kind']).to.equal('Task');
    expect(meta(del)['finalizers']).to.deep.equal(['foregroundDeletion']);
    expect(meta(del)['deletionTimestamp']).to.be.a('string');
    expect(meta(del)['generation']).to.equal(2);
    await until(() => ctx.sandbox.store.get('tasks', 'test', 'fg') === undefined, 'the owner to go');
    expect(ctx.sandbox.store.get('configmaps', 'test', 'fg-dep')).to.equal(undefined);
  });

  it('Foreground waits for a dependent held by a finalizer', async () => {
    const o = await owner('fg');
    const ref = { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 'fg', uid: String(meta(o)['uid']) };
    await call('POST', CM, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['x/y'], ownerReferences: [ref] } } });
    await call('DELETE', `${TASKS}/fg`, { body: { propagationPolicy: 'Foreground' } });
    await until(
      () =>
        ctx.sandbox.store.get('configmaps', 'test', 'held')?.['metadata'] !== undefined &&
        'deletionTimestamp' in (ctx.sandbox.store.get('configmaps', 'test', 'held')!['metadata'] as object),
      'the dependent to be deleting',
    );
    expect(await exists(`${TASKS}/fg`)).to.equal(true);
    await call('PATCH', `${CM}/held`, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    await until(() => ctx.sandbox.store.get('tasks', 'test', 'fg') === undefined, 'the owner to go');
  });

  it('marks a finalized object: deletionGracePeriodSeconds, generation bump, and no new finalizers', async () => {
    await owner('a', ['x/y']);
    const del = await call('DELETE', `${TASKS}/a?gracePeriodSeconds=30`);
    expect(del.status).to.equal(200);
    expect(meta(del)['deletionGracePeriodSeconds']).to.equal(0);
    expect(meta(del)['generation']).to.equal(2);
    const add = await call('PATCH', `${TASKS}/a`, { body: { metadata: { finalizers: ['x/y', 'x/z'] } }, contentType: 'application/merge-patch+json' });
    expect(add.status).to.equal(422);
    expect(add.json['message']).to.equal(
      'Task.aliecs.alice.cern "a" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x/z"}',
    );
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', finalizers: ['x/y'] },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
    };
    expect((await call('POST', '/api/v1/namespaces/test/pods', { body: pod })).status).to.equal(201);
    const podDel = await call('DELETE', '/api/v1/namespaces/test/pods/p', { body: { gracePeriodSeconds: 7 } });
    expect(meta(podDel)['deletionGracePeriodSeconds']).to.equal(7);
  });

  it('serves kubectl delete --cascade=foreground|background|orphan (real kubectl)', async () => {
    const kubectl = new Kubectl({ kubeconfig: ctx.sandbox.kubeconfigPath, context: 'admin', namespace: 'test', timeoutMs: 30_000, env: ctx.test.env });
    for (const cascade of ['foreground', 'background', 'orphan']) {
      await owned(`${cascade}-dep`, await owner(cascade));
      const r = await kubectl.tryRun(['delete', `tasks.aliecs.alice.cern/${cascade}`, `--cascade=${cascade}`]);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout).to.equal(`task.aliecs.alice.cern "${cascade}" deleted\n`);
      expect(ctx.sandbox.store.get('tasks', 'test', cascade)).to.equal(undefined);
      await until(
        () => (ctx.sandbox.store.get('configmaps', 'test', `${cascade}-dep`) === undefined) === (cascade !== 'orphan'),
        `${cascade} dependent handled`,
      );
    }
  });
});
