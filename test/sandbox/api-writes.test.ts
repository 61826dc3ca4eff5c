import { expect } from 'chai';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.ts';
import { client, type Response } from './sandbox-client.ts';

const TASKS = '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks';
const task = (name: string, spec: Record<string, unknown> = { state: 'standby' }) => ({
  apiVersion: 'aliecs.alice.cern/v1alpha1',
  kind: 'Task',
  metadata: { name },
  spec,
});
const meta = (r: Response) => r.json['metadata'] as Record<string, unknown>;
const LOCK = 'Operation cannot be fulfilled on tasks.aliecs.alice.cern "a": the object has been modified; please apply your changes to the latest version and try again';

describe('sandbox writes: concurrency and decoding errors', function () {
  this.timeout(20_000);
  let t: TestSandbox;
  let sb: Sandbox;
  let call: ReturnType<typeof client>;

  beforeEach(async () => {
    t = await startTestSandbox({ crd: 'upstream' });
    sb = t.sandbox;
    call = client(sb);
  });
  afterEach(() => t.cleanup());

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
});
