import { expect } from 'chai';
import { sandboxPerTest, type Call, type Response } from '../sandbox-client.ts';

const TASKS = '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks';
const task = (name: string, spec: Record<string, unknown> = { state: 'standby' }) => ({
  apiVersion: 'aliecs.alice.cern/v1alpha1',
  kind: 'Task',
  metadata: { name },
  spec,
});
const meta = (r: Response) => r.json['metadata'] as Record<string, unknown>;
const LOCK =
  'Operation cannot be fulfilled on tasks.aliecs.alice.cern "a": the object has been modified; please apply your changes to the latest version and try again';

describe('sandbox writes: concurrency and decoding errors', function () {
  this.timeout(20_000);
  const ctx = sandboxPerTest({ crd: 'project' });
  const call: Call = (method, path, options) => ctx.call(method, path, options);

  it('answers 409 to a /status PATCH or PUT carrying a stale resourceVersion', async () => {
    const created = await call('POST', TASKS, { body: task('a') });
    const staleRv = meta(created)['resourceVersion'];
    await call('PATCH', `${TASKS}/a`, { body: { spec: { state: 'running' } }, contentType: 'application/merge-patch+json' });
    const patch = await call('PATCH', `${TASKS}/a/status`, {
      body: { metadata: { resourceVersion: staleRv }, status: { state: 'RUNNING' } },
      contentType: 'application/merge-patch+json',
    });
    expect(patch.status, patch.text).to.equal(409);
    expect(patch.json['message']).to.equal(LOCK);
    const put = await call('PUT', `${TASKS}/a/status`, { body: { ...created.json, status: { state: 'RUNNING' } } });
    expect(put.status, put.text).to.equal(409);
    const current = await call('GET', `${TASKS}/a`);
    const fresh = await call('PUT', `${TASKS}/a/status`, { body: { ...current.json, status: { state: 'RUNNING' } } });
    expect(fresh.status, fresh.text).to.equal(200);
    expect(fresh.json['status']).to.deep.equal({ state: 'RUNNING' });
  });

  it('words Strict unknown fields as a decoding error on POST/PUT and as a bare strict error on PATCH', async () => {
    const body = task('a', { state: 'standby', foo: 1 });
    const post = await call('POST', `${TASKS}?fieldValidation=Strict`, { body });
    expect(post.status).to.equal(400);
    expect(post.json['message']).to.equal('Task in version "v1alpha1" cannot be handled as a Task: strict decoding error: unknown field "spec.foo"');
    const created = await call('POST', TASKS, { body: task('a') });
    const put = await call('PUT', `${TASKS}/a?fieldValidation=Strict`, { body: { ...created.json, spec: { state: 'standby', foo: 1 } } });
    expect(put.status).to.equal(400);
    expect(put.json['message']).to.equal('Task in version "v1alpha1" cannot be handled as a Task: strict decoding error: unknown field "spec.foo"');
    const patch = await call('PATCH', `${TASKS}/a?fieldValidation=Strict`, { body: { spec: { foo: 1 } }, contentType: 'application/merge-patch+json' });
    expect(patch.status).to.equal(400);
    expect(patch.json['message']).to.equal('strict decoding error: unknown field "spec.foo"');
  });

  it('validates label keys and values and annotation keys with the apimachinery wording', async () => {
    const bad = await call('POST', TASKS, { body: { ...task('a'), metadata: { name: 'a', labels: { 'bad key': 'ok' } } } });
    expect(bad.status).to.equal(422);
    expect(bad.json['message']).to.equal(
      `Task.aliecs.alice.cern "a" is invalid: metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    );
    const value = await call('POST', '/api/v1/namespaces/test/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { app: '-x' } } },
    });
    expect(value.status).to.equal(422);
    expect(value.json['message']).to.equal(
      `ConfigMap "c" is invalid: metadata.labels: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
    const prefix = await call('POST', TASKS, { body: { ...task('b'), metadata: { name: 'b', annotations: { 'Example.com/Ok': 'x', 'a/b/c': 'y' } } } });
    expect(prefix.status).to.equal(422);
    const causes = (prefix.json['details'] as { causes: { field: string; message: string }[] }).causes;
    expect(causes.map((c) => c.field)).to.deep.equal(['metadata.annotations']);
    expect(causes[0]!.message).to.match(/^Invalid value: "a\/b\/c": a qualified name must consist of/);
    const created = await call('POST', TASKS, { body: task('c') });
    expect(created.status).to.equal(201);
    const patched = await call('PATCH', `${TASKS}/c`, { body: { metadata: { labels: { 'x/': 'y' } } }, contentType: 'application/merge-patch+json' });
    expect(patched.status).to.equal(422);
    // As IsQualifiedName: an empty name part fails both the emptiness and the regex check.
    expect(patched.json['message']).to.match(
      /^Task\.aliecs\.alice\.cern "c" is invalid: \[metadata\.labels: Invalid value: "x\/": name part must be non-empty, metadata\.labels: Invalid value: "x\/": name part must consist of /,
    );
  });

  it('rejects annotations larger than 256 KiB in total', async () => {
    const big = { a: 'x'.repeat(200 * 1024), b: 'y'.repeat(100 * 1024) };
    const r = await call('POST', TASKS, { body: { ...task('a'), metadata: { name: 'a', annotations: big } } });
    expect(r.status).to.equal(422);
    expect(r.json['message']).to.equal('Task.aliecs.alice.cern "a" is invalid: metadata.annotations: Too long: must have at most 262144 bytes');
  });
});
