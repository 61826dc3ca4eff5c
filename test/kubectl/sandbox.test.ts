/**
 * The real kubectl through the runner and commands.ts against the embedded sandbox API server.
 */
import { expect } from 'chai';
import { apply, deleteObjects, exists, getJsonpath, getObject, getObjects, patchJson, patchMerge } from '../../src/kubectl/commands.ts';
import { KubectlError } from '../../src/kubectl/errors.ts';
import type { AttemptEvent } from '../../src/kubectl/runner.ts';
import { Kubectl } from '../../src/kubectl/runner.ts';
import type { ObjectRef } from '../../src/kubectl/types.ts';
import { startTaskCluster, type TaskCluster } from '../helpers/task-cluster.ts';

const MANIFEST = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: t1
  labels: {app.kubernetes.io/managed-by: kubectl-task}
spec:
  state: standby
  control: {mode: direct, port: 31000}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: readout-config
data:
  readout-cfg.ini: "[readout]\\n"
`;

describe('kubectl/commands against the sandbox (real kubectl)', function () {
  this.timeout(120_000); // safety net: each kubectl call is a process start on a shared 2-core machine
  let cluster: TaskCluster;
  let t1: ObjectRef;

  before(async () => {
    // TLS: the sandbox then requires tokens, so the executor context really is a restricted user.
    cluster = await startTaskCluster({ namespace: 'kubectl-it', tls: true });
  });
  after(async () => {
    await cluster?.close();
  });

  it('apply returns the exact refs, including the namespace the objects landed in', async () => {
    const refs = await apply(cluster.kubectl, MANIFEST, { fieldManager: 'kubectl-task' });
    expect(refs).to.deep.equal([
      { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', name: 't1', namespace: 'kubectl-it' },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'readout-config', namespace: 'kubectl-it' },
    ]);
    t1 = refs[0] as ObjectRef;
    // from another default namespace the ref still finds it: -n comes from the ref
    const elsewhere = cluster.kubectl.with({ namespace: 'default' });
    expect((await getObject(elsewhere, t1))?.metadata.labels).to.deep.equal({ 'app.kubernetes.io/managed-by': 'kubectl-task' });
    expect(await getJsonpath(elsewhere, t1, '{.spec.state}')).to.equal('standby');
    expect(await exists(elsewhere, t1)).to.equal(true);
  });

  it('patchJson changes spec; patchMerge on the status subresource changes status', async () => {
    const patched = await patchJson(cluster.kubectl, t1, [
      { op: 'add', path: '/spec/state', value: 'configured' },
      { op: 'add', path: '/spec/arguments', value: { environment_id: 'E1' } },
    ]);
    expect(patched['spec']).to.deep.include({ state: 'configured', arguments: { environment_id: 'E1' } });
    const withStatus = await patchMerge(cluster.kubectl, t1, { status: { state: 'CONFIGURED' } }, { subresource: 'status' });
    expect(withStatus['status']).to.deep.include({ state: 'CONFIGURED' });
  });

  it("an enum violation is Invalid after one attempt, with the server's message", async () => {
    const events: AttemptEvent[] = [];
    const k = new Kubectl({ kubeconfig: cluster.kubeconfig, context: 'admin', onAttempt: (e) => events.push(e) });
    const error = (await patchJson(k, t1, [{ op: 'replace', path: '/spec/state', value: 'bogus' }]).catch((e: unknown) => e)) as KubectlError;
    expect(error).to.be.instanceOf(KubectlError);
    expect(error.reason).to.equal('Invalid');
    expect(error.message).to.match(/^kubectl patch task\.v1alpha1\.aliecs\.alice\.cern\/t1: Invalid: .*spec\.state: Unsupported value: "bogus"/);
    expect(events).to.have.length(1);
  });

  it('a failed JSON-patch test op is Invalid', async () => {
    const error = (await patchJson(cluster.kubectl, t1, [{ op: 'test', path: '/spec/state', value: 'nope' }]).catch((e: unknown) => e)) as KubectlError;
    expect(error.reason).to.equal('Invalid');
  });

  it('the executor context may read its namespace but not patch it: Forbidden, one attempt', async () => {
    const executor = cluster.kubectl.with({ context: 'executor' });
    const namespace: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: 'kubectl-it' };
    expect(await exists(executor, namespace)).to.equal(true);
    const error = (await patchMerge(executor, namespace, { metadata: { labels: { touched: 'yes' } } }).catch((e: unknown) => e)) as KubectlError;
    expect(error).to.be.instanceOf(KubectlError);
    expect(error.reason).to.equal('Forbidden');
    expect(error.attempts).to.equal(1);
    expect(error.message).to.match(/^kubectl patch namespace\/kubectl-it: Forbidden: /);
  });

  it('a 503 the server injects once is retried by the runner and the patch lands', async () => {
    const events: AttemptEvent[] = [];
    const k = new Kubectl({
      kubeconfig: cluster.kubeconfig,
      context: 'admin',
      sleep: async () => {},
      onAttempt: (e) => events.push(e),
    });
    // Only kubectl's PATCH of the Task itself: the fake task manager patches /status concurrently.
    cluster.sandbox.faults.failNext({ count: 1, status: 503, method: 'PATCH', path: '/apis/aliecs.alice.cern/v1alpha1/namespaces/kubectl-it/tasks/t1' });
    const patched = await patchMerge(k, t1, { spec: { state: 'running' } });
    expect(patched['spec']).to.deep.include({ state: 'running' });
    expect(events.map((e) => [e.reason, e.willRetry])).to.deep.equal([
      ['ServerError', true],
      [undefined, false],
    ]);
  });

  it('a 429 with Retry-After is honoured (kubectl waits and retries by itself) and the patch lands', async () => {
    const path = '/apis/aliecs.alice.cern/v1alpha1/namespaces/kubectl-it/tasks/t1';
    const events: AttemptEvent[] = [];
    const k = new Kubectl({ kubeconfig: cluster.kubeconfig, context: 'admin', namespace: 'kubectl-it', onAttempt: (e) => events.push(e) });
    const before = cluster.sandbox.requestLog.count({ method: 'PATCH', path });
    cluster.sandbox.faults.failNext({ count: 2, status: 429, method: 'PATCH', path, retryAfterSeconds: 1 });
    const patched = await patchMerge(k, t1, { spec: { state: 'configured' } });
    expect(patched['spec']).to.deep.include({ state: 'configured' });
    // three PATCHes from ONE kubectl run: client-go retried on its own
    expect(cluster.sandbox.requestLog.count({ method: 'PATCH', path }) - before).to.equal(3);
    expect(events.map((e) => [e.attempt, e.reason])).to.deep.equal([[1, undefined]]);
  });

  it('a 429 WITHOUT Retry-After: client-go gives up, our runner retries, and the patch lands', async () => {
    const path = '/apis/aliecs.alice.cern/v1alpha1/namespaces/kubectl-it/tasks/t1';
    const events: AttemptEvent[] = [];
    const k = new Kubectl({ kubeconfig: cluster.kubeconfig, context: 'admin', sleep: async () => {}, onAttempt: (e) => events.push(e) });
    const before = cluster.sandbox.requestLog.count({ method: 'PATCH', path });
    cluster.sandbox.faults.failNext({ count: 2, status: 429, method: 'PATCH', path });
    const patched = await patchMerge(k, t1, { spec: { state: 'deployed' } });
    expect(patched['spec']).to.deep.include({ state: 'deployed' });
    expect(cluster.sandbox.requestLog.count({ method: 'PATCH', path }) - before).to.equal(3);
    expect(events.map((e) => [e.attempt, e.reason, e.willRetry])).to.deep.equal([
      [1, 'TooManyRequests', true],
      [2, 'TooManyRequests', true],
      [3, undefined, false],
    ]);
  });

  it('a 500 once on a GET is retried by the runner; getObjects returns only the objects that exist', async () => {
    const cmPath = '/api/v1/namespaces/kubectl-it/configmaps/readout-config';
    const events: AttemptEvent[] = [];
    const k = new Kubectl({ kubeconfig: cluster.kubeconfig, context: 'admin', sleep: async () => {}, onAttempt: (e) => events.push(e) });
    const before = cluster.sandbox.requestLog.count({ method: 'GET', path: cmPath });
    cluster.sandbox.faults.failNext({ count: 1, status: 500, method: 'GET', path: cmPath });
    const cm: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'readout-config', namespace: 'kubectl-it' };
    const objects = await getObjects(k, [t1, { ...t1, name: 'absent' }, cm, { ...cm, name: 'absent-too' }]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).to.deep.equal(['Task/t1', 'ConfigMap/readout-config']);
    expect(cluster.sandbox.requestLog.count({ method: 'GET', path: cmPath }) - before).to.equal(2);
    expect(events.map((e) => [e.reason, e.willRetry])).to.deep.equal([
      ['ServerError', true],
      [undefined, false],
    ]);
    // single name: kubectl prints the object itself; none found: nothing at all
    expect((await getObjects(cluster.kubectl, [cm])).map((o) => o.metadata.name)).to.deep.equal(['readout-config']);
    expect(await getObjects(cluster.kubectl, [{ ...cm, name: 'absent' }])).to.deep.equal([]);
  });

  it('kubectl create of an existing object is AlreadyExists, one attempt', async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: created-twice}\ndata: {a: "1"}\n';
    await cluster.kubectl.run(['create', '-f', '-'], { stdin: manifest });
    const error = (await cluster.kubectl.run(['create', '-f', '-'], { stdin: manifest }).catch((e: unknown) => e)) as KubectlError;
    expect(error).to.be.instanceOf(KubectlError);
    expect(error.reason).to.equal('AlreadyExists');
    expect(error.attempts).to.equal(1);
    expect(error.message).to.contain('configmaps "created-twice" already exists');
  });

  it('kubectl replace with a stale resourceVersion is Conflict, one attempt', async () => {
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'created-twice', namespace: 'kubectl-it' };
    const stale = await getObject(cluster.kubectl, ref);
    expect(stale?.metadata.resourceVersion).to.be.a('string');
    await patchMerge(cluster.kubectl, ref, { data: { a: '2' } });
    const replaced = JSON.stringify({ ...stale, data: { a: '3' } });
    const error = (await cluster.kubectl.run(['replace', '-f', '-'], { stdin: replaced }).catch((e: unknown) => e)) as KubectlError;
    expect(error).to.be.instanceOf(KubectlError);
    expect(error.reason).to.equal('Conflict');
    expect(error.attempts).to.equal(1);
    expect((await getObject(cluster.kubectl, ref))?.['data']).to.deep.equal({ a: '2' });
  });

  it('a manifest namespace that contradicts -n is Invalid (kubectl refuses it itself)', async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: other}\n';
    const error = (await apply(cluster.kubectl, manifest, { namespace: 'kubectl-it' }).catch((e: unknown) => e)) as KubectlError;
    expect(error).to.be.instanceOf(KubectlError);
    expect(error.reason).to.equal('Invalid');
    expect(error.attempts).to.equal(1);
    expect(error.message).to.contain('does not match the namespace "kubectl-it"');
  });

  it('deleteObjects --wait on a Task held by a finalizer: one DELETE, Timeout naming the Task, no retry', async () => {
    const refs = await apply(
      cluster.kubectl,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fin-config}\n---\napiVersion: aliecs.alice.cern/v1alpha1\nkind: Task\nmetadata: {name: fin, finalizers: [example.com/hold]}\nspec: {state: standby, control: {mode: direct, port: 31001}}\n',
    );
    const taskPath = '/apis/aliecs.alice.cern/v1alpha1/namespaces/kubectl-it/tasks/fin';
    const events: AttemptEvent[] = [];
    const k = new Kubectl({
      kubeconfig: cluster.kubeconfig,
      context: 'admin',
      namespace: 'kubectl-it',
      sleep: async () => {},
      onAttempt: (e) => events.push(e),
    });
    const error = (await deleteObjects(k, refs, { wait: true, timeoutMs: 2_000 }).catch((e: unknown) => e)) as KubectlError;
    expect(error).to.be.instanceOf(KubectlError);
    expect(error.reason).to.equal('Timeout');
    expect(error.attempts).to.equal(1);
    expect(error.message).to.match(/^kubectl delete tasks\/fin: Timeout: timed out waiting for the condition on tasks\/fin$/);
    expect(cluster.sandbox.requestLog.count({ method: 'DELETE', path: taskPath })).to.equal(1);
    expect(events).to.have.length(1);
    // release it so nothing lingers
    const fin = refs.find((r) => r.kind === 'Task') as ObjectRef;
    await patchMerge(cluster.kubectl, fin, { metadata: { finalizers: null } });
    expect(await exists(cluster.kubectl, fin)).to.equal(false);
  });

  it('stream(): a real watch delivers one JSON line per event until stop()', async () => {
    const events: Array<{ type: string; state: unknown }> = [];
    const watch = cluster.kubectl.stream(['get', 'task/t1', '--watch', '-o', 'json', '--output-watch-events'], {
      onLine: (line) => {
        const event = JSON.parse(line) as { type: string; object: { status?: { state?: unknown } } };
        events.push({ type: event.type, state: event.object.status?.state });
      },
    });
    const waitForEvents = async (count: number): Promise<void> => {
      while (events.length < count) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await waitForEvents(1);
    await patchMerge(cluster.kubectl, t1, { status: { state: 'WATCHED' } }, { subresource: 'status' });
    await waitForEvents(2);
    watch.stop();
    const result = await watch.done;
    expect(events[0]?.type).to.equal('ADDED');
    expect(events.some((e) => e.type === 'MODIFIED' && e.state === 'WATCHED')).to.equal(true);
    // kubectl traps SIGTERM like SIGINT (recording 22): it ends with exit code 1, not by the signal.
    expect(result.exitCode).to.equal(1);
    expect(result.timedOut).to.equal(false);
  });

  it('deleteObjects removes exactly the refs; afterwards getObject is undefined and a second delete is fine', async () => {
    const cm: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'readout-config', namespace: 'kubectl-it' };
    await deleteObjects(cluster.kubectl, [t1, cm], { timeoutMs: 20_000 });
    expect(await getObject(cluster.kubectl, t1)).to.equal(undefined);
    expect(await exists(cluster.kubectl, cm)).to.equal(false);
    await deleteObjects(cluster.kubectl, [t1, cm]);
    const error = (await deleteObjects(cluster.kubectl, [t1], { ignoreNotFound: false }).catch((e: unknown) => e)) as KubectlError;
    expect(error.reason).to.equal('NotFound');
  });
});
