import { expect } from 'chai';
import { sandboxPerTest, type Call, type Response } from '../sandbox-client.ts';

const TASKS = '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks';
const task = (name: string, spec: Record<string, unknown> = { state: 'standby' }) => ({
  apiVersion: 'aliecs.alice.cern/v1alpha1',
  kind: 'Task',
  metadata: { name, labels: { app: 'x' } },
  spec,
});
const meta = (r: Response) => r.json['metadata'] as Record<string, unknown>;

describe('sandbox API objects', function () {
  this.timeout(20_000);
  const ctx = sandboxPerTest({ crd: 'project' });
  const call: Call = (method, path, options) => ctx.call(method, path, options);

  it('creates with uid, timestamp, generation 1 and managedFields; 409 AlreadyExists the second time', async () => {
    const r = await call('POST', `${TASKS}?fieldManager=tester`, { body: task('a') });
    expect(r.status).to.equal(201);
    expect(r.text.endsWith('}\n')).to.equal(true);
    expect(meta(r)['uid']).to.match(/^[0-9a-f-]{36}$/);
    expect(meta(r)['generation']).to.equal(1);
    expect(meta(r)['namespace']).to.equal('test');
    const mf = (meta(r)['managedFields'] as Record<string, unknown>[])[0]!;
    expect(mf['manager']).to.equal('tester');
    expect(mf['fieldsV1']).to.deep.equal({ 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { '.': {}, 'f:state': {} } });
    const again = await call('POST', TASKS, { body: task('a') });
    expect(again.status).to.equal(409);
    expect(again.text).to.equal(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"tasks.aliecs.alice.cern \\"a\\" already exists","reason":"AlreadyExists","details":{"name":"a","group":"aliecs.alice.cern","kind":"tasks"},"code":409}\n',
    );
  });

  it('answers 404 for a missing object and for a create into a missing namespace', async () => {
    const r = await call('GET', `${TASKS}/nope`);
    expect(r.status).to.equal(404);
    expect(r.json['message']).to.equal('tasks.aliecs.alice.cern "nope" not found');
    const ns = await call('POST', '/apis/aliecs.alice.cern/v1alpha1/namespaces/missing/tasks', { body: task('a') });
    expect(ns.status).to.equal(404);
    expect(ns.json['message']).to.equal('namespaces "missing" not found');
    expect(ns.json['details']).to.deep.equal({ name: 'missing', kind: 'namespaces' });
  });

  it('rejects schema violations with 422 causes, one or several', async () => {
    const one = await call('POST', TASKS, { body: task('a', { state: 'bogus' }) });
    expect(one.status).to.equal(422);
    expect(one.json['message']).to.equal(
      'Task.aliecs.alice.cern "a" is invalid: spec.state: Unsupported value: "bogus": supported values: "standby", "deployed", "configured", "running"',
    );
    const two = await call('POST', TASKS, { body: task('b', { state: 'standby', bind: [{ name: 'r', type: 'push' }] }) });
    expect(two.status).to.equal(422);
    expect(two.json['message']).to.equal('Task.aliecs.alice.cern "b" is invalid: [spec.bind[0].global: Required value, spec.bind[0].target: Required value]');
    expect((two.json['details'] as Record<string, unknown>)['kind']).to.equal('Task');
  });

  it('applies fieldValidation: Strict fails, Warn warns, both prune', async () => {
    const body = task('a', { state: 'standby', foo: 1 });
    const strict = await call('POST', `${TASKS}?fieldValidation=Strict`, { body });
    expect(strict.status).to.equal(400);
    expect(strict.json['message']).to.equal('Task in version "v1alpha1" cannot be handled as a Task: strict decoding error: unknown field "spec.foo"');
    const warn = await call('POST', `${TASKS}?fieldValidation=Warn`, { body });
    expect(warn.status).to.equal(201);
    expect(warn.headers['warning']).to.equal('299 - "unknown field \\"spec.foo\\""');
    expect(warn.json['spec']).to.deep.equal({ state: 'standby' });
  });

  it('bumps generation on spec changes only and skips writes that change nothing', async () => {
    await call('POST', TASKS, { body: task('a') });
    const merge = (path: string, patch: unknown) => call('PATCH', path, { body: patch, contentType: 'application/merge-patch+json' });
    const labels = await merge(`${TASKS}/a`, { metadata: { labels: { b: 'c' } } });
    expect(meta(labels)['generation']).to.equal(1);
    const status = await merge(`${TASKS}/a/status`, { status: { state: 'RUNNING' } });
    expect(meta(status)['generation']).to.equal(1);
    expect(status.json['status']).to.deep.equal({ state: 'RUNNING' });
    const spec = await merge(`${TASKS}/a`, { spec: { state: 'running' }, status: { state: 'IGNORED' } });
    expect(meta(spec)['generation']).to.equal(2);
    expect(spec.json['status']).to.deep.equal({ state: 'RUNNING' });
    const noop = await merge(`${TASKS}/a`, { spec: { state: 'running' } });
    expect(meta(noop)['resourceVersion']).to.equal(meta(spec)['resourceVersion']);
    const specViaStatus = await merge(`${TASKS}/a/status`, { spec: { state: 'standby' } });
    expect((specViaStatus.json['spec'] as Record<string, unknown>)['state']).to.equal('running');
  });

  it('rejects a stale resourceVersion with 409 Conflict and requires one on PUT of a custom resource', async () => {
    const created = await call('POST', TASKS, { body: task('a') });
    const obj = created.json;
    await call('PATCH', `${TASKS}/a`, { body: { spec: { state: 'running' } }, contentType: 'application/merge-patch+json' });
    const stale = await call('PUT', `${TASKS}/a`, { body: obj });
    expect(stale.status).to.equal(409);
    expect(stale.json['message']).to.equal(
      'Operation cannot be fulfilled on tasks.aliecs.alice.cern "a": the object has been modified; please apply your changes to the latest version and try again',
    );
    const { resourceVersion: _rv, ...noRv } = obj['metadata'] as Record<string, unknown>;
    const missing = await call('PUT', `${TASKS}/a`, { body: { ...obj, metadata: noRv } });
    expect(missing.status).to.equal(422);
  });

  it('JSON patch that cannot apply is 422 with the generic message', async () => {
    await call('POST', TASKS, { body: task('a') });
    const r = await call('PATCH', `${TASKS}/a`, { body: [{ op: 'test', path: '/spec/state', value: 'x' }], contentType: 'application/json-patch+json' });
    expect(r.status).to.equal(422);
    expect(r.json).to.deep.equal({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: {},
      code: 422,
    });
  });

  it('keeps an object with finalizers until they are removed', async () => {
    await call('POST', TASKS, { body: { ...task('a'), metadata: { name: 'a', finalizers: ['x/y'] } } });
    const del = await call('DELETE', `${TASKS}/a`, { body: { propagationPolicy: 'Background' } });
    expect(del.status, del.text).to.equal(200);
    expect(meta(del)['deletionTimestamp']).to.be.a('string');
    expect((await call('GET', `${TASKS}/a`)).status).to.equal(200);
    await call('PATCH', `${TASKS}/a`, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    expect((await call('GET', `${TASKS}/a`)).status).to.equal(404);
  });

  it('returns a Success Status on delete and honours dryRun', async () => {
    const created = await call('POST', TASKS, { body: task('a') });
    const dry = await call('DELETE', `${TASKS}/a?dryRun=All`);
    expect(dry.json['status']).to.equal('Success');
    expect((await call('GET', `${TASKS}/a`)).status).to.equal(200);
    const del = await call('DELETE', `${TASKS}/a`);
    expect(del.json).to.deep.equal({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'a', group: 'aliecs.alice.cern', kind: 'tasks', uid: meta(created)['uid'] },
    });
    const dryCreate = await call('POST', `${TASKS}?dryRun=All`, { body: task('b') });
    expect(dryCreate.status).to.equal(201);
    expect(ctx.sandbox.store.get('tasks', 'test', 'b')).to.equal(undefined);
  });

  it('lists with label selectors and limit/continue pagination', async () => {
    for (const n of ['a', 'b', 'c']) await call('POST', TASKS, { body: { ...task(n), metadata: { name: n, labels: { tier: n === 'b' ? 'x' : 'y' } } } });
    const sel = await call('GET', `${TASKS}?labelSelector=tier%3Dy`);
    expect((sel.json['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name)).to.deep.equal(['a', 'c']);
    const page1 = await call('GET', `${TASKS}?limit=2`);
    const m1 = page1.json['metadata'] as Record<string, unknown>;
    expect((page1.json['items'] as unknown[]).length).to.equal(2);
    expect(m1['remainingItemCount']).to.equal(1);
    const page2 = await call('GET', `${TASKS}?limit=2&continue=${encodeURIComponent(String(m1['continue']))}`);
    expect((page2.json['items'] as { metadata: { name: string } }[]).map((i) => i.metadata.name)).to.deep.equal(['c']);
    expect((page2.json['metadata'] as Record<string, unknown>)['continue']).to.equal('');
  });

  it('deletes a labelled collection and refuses PUT on a collection with 405', async () => {
    for (const n of ['a', 'b']) await call('POST', TASKS, { body: { ...task(n), metadata: { name: n, labels: { gone: n === 'a' ? 'yes' : 'no' } } } });
    const r = await call('DELETE', `${TASKS}?labelSelector=gone%3Dyes`);
    expect(r.status).to.equal(200);
    expect(ctx.sandbox.store.list('tasks', 'test').map((o) => (o['metadata'] as { name: string }).name)).to.deep.equal(['b']);
    const put = await call('PUT', TASKS, { body: task('c') });
    expect(put.status).to.equal(405);
    expect(put.json['reason']).to.equal('MethodNotAllowed');
  });

  it('serves Tables with the CRD printer columns', async () => {
    await call('POST', TASKS, { body: task('a') });
    const r = await call('GET', TASKS, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(r.json['kind']).to.equal('Table');
    expect((r.json['columnDefinitions'] as { name: string }[]).map((c) => c.name)).to.deep.equal(['Name', 'Desired', 'Actual', 'Age']);
    expect((r.json['rows'] as { cells: unknown[] }[])[0]!.cells.slice(0, 2)).to.deep.equal(['a', 'standby']);
  });

  it('unregisters a deleted CRD and its objects; deleting a namespace empties it', async () => {
    await call('POST', TASKS, { body: task('a') });
    await call('POST', '/api/v1/namespaces/test/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } } });
    await call('DELETE', '/api/v1/namespaces/test');
    expect((await call('GET', '/api/v1/namespaces/test/configmaps/c')).status).to.equal(404);
    expect(ctx.sandbox.store.list('tasks')).to.deep.equal([]);
    const del = await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/tasks.aliecs.alice.cern');
    expect(del.status).to.equal(200);
    expect((await call('GET', '/apis/aliecs.alice.cern/v1alpha1')).status).to.equal(404);
    const groups = (await call('GET', '/apis')).json['groups'] as { name: string }[];
    expect(groups.map((g) => g.name)).not.to.include('aliecs.alice.cern');
  });

  it('gives a created CRD Established and NamesAccepted conditions', async () => {
    const crd = ctx.sandbox.store.get('crd', undefined, 'tasks.aliecs.alice.cern')!;
    const conditions = (crd['status'] as { conditions: { type: string; status: string }[] }).conditions;
    expect(conditions.map((c) => `${c.type}=${c.status}`)).to.deep.equal(['NamesAccepted=True', 'Established=True']);
  });

  it('decodes the protobuf bodies of kubectl create for built-in kinds', async () => {
    const ns = Buffer.from('azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhwKFAoEZGVtbxIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==', 'base64');
    const r = await call('POST', '/api/v1/namespaces', { body: ns, contentType: 'application/vnd.kubernetes.protobuf' });
    expect(r.status).to.equal(201);
    expect(meta(r)['labels']).to.deep.equal({ 'kubernetes.io/metadata.name': 'demo' });
    expect(r.json['status']).to.deep.equal({ phase: 'Active' });
  });
});
