/**
 * Writes that change nothing, as kube-apiserver 1.26 handles them: the update runs (admission,
 * validation), but the field manager does not touch a managedFields entry whose manager took no
 * field (fieldmanager/managedfieldsupdater.go: the time is set only when the operation took
 * fields; an apply that changes nothing returns no object), so the encoded object is byte-equal to
 * the stored one and etcd3's GuaranteedUpdate returns the stored object without writing
 * (storage/etcd3/store.go: `!origState.stale && bytes.Equal(data, origState.data)`). No new
 * resourceVersion, generation or managedFields time, and no watch event. kubectl decides what to
 * print by comparing objects: `patch` says "patched (no change)" when the response equals what it
 * read; `label` says "not labeled" when its merge patch (then `{}`) changes nothing, after
 * `label "foo" not found.` for a removal of an absent key.
 */
import { expect } from 'chai';
import type { JsonObject } from '../../src/json.ts';
import { runKubectl, type KubectlRun } from '../helpers/sandbox.ts';
import { sandboxPerTest, until, watch, type Call } from './sandbox-client.ts';

const NS = 'noop';
const TASKS = `/apis/aliecs.alice.cern/v1alpha1/namespaces/${NS}/tasks`;
const T1 = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: t1
  labels: {app: demo}
spec:
  state: standby
`;

describe('sandbox fidelity: writes that change nothing (real kubectl)', function () {
  this.timeout(60_000);
  const ctx = sandboxPerTest({ namespace: NS, tls: false });
  const call: Call = (method, path, options) => ctx.call(method, path, options);

  const kubectl = (args: string[], stdin = ''): Promise<KubectlRun> => runKubectl(ctx.test.env, ['--context', 'admin', ...args], stdin);

  const stored = (): { text: string; meta: JsonObject } => {
    const obj = ctx.sandbox.store.get('tasks', NS, 't1')!;
    return { text: JSON.stringify(obj), meta: obj['metadata'] as JsonObject };
  };

  /** Creates t1, waits a second (so a rewritten managedFields time would show) and opens a watch from its version. */
  async function setup(create: string[] = ['apply', '-f', '-']) {
    expect((await kubectl(create, T1)).code).to.equal(0);
    await new Promise((r) => setTimeout(r, 1100));
    const before = stored();
    const w = watch(ctx.sandbox, `${TASKS}?watch=true&resourceVersion=${String(before.meta['resourceVersion'])}`);
    expect(await w.opened).to.equal(200);
    return { before, w };
  }

  /** After the no-ops, one real change: it must be the watch's first event. */
  async function expectNoEventsBefore(w: ReturnType<typeof watch>, beforeRv: string): Promise<void> {
    expect((await kubectl(['label', 'task', 't1', 'changed=yes'])).stdout).to.equal('task.aliecs.alice.cern/t1 labeled\n');
    await until(() => w.events.length > 0, 'the watch event of the real change');
    await new Promise((r) => setTimeout(r, 100));
    w.stop();
    expect(w.events.map((e) => `${e.type} ${String((e.object['metadata'] as JsonObject)['resourceVersion'])}`)).to.deep.equal([
      `MODIFIED ${Number(beforeRv) + 1}`,
    ]);
  }

  it('kubectl label KEY- for a label that is not there: "not labeled", nothing written', async () => {
    const { before, w } = await setup();
    ctx.sandbox.requestLog.clear();
    const out = await kubectl(['label', 'task', 't1', 'foo-']);
    expect(out).to.deep.equal({ code: 0, stdout: 'label "foo" not found.\ntask.aliecs.alice.cern/t1 not labeled\n', stderr: '' });
    // kubectl still sends its (empty) merge patch; the server answers 200 with the stored object.
    expect(ctx.sandbox.requestLog.entries.filter((e) => e.method === 'PATCH').map((e) => `${e.path} ${e.status}`)).to.deep.equal([`${TASKS}/t1 200`]);
    expect(stored().text).to.equal(before.text);
    await expectNoEventsBefore(w, String(before.meta['resourceVersion']));
  });

  it('kubectl label KEY=VALUE --overwrite with the value it has: "not labeled", nothing written', async () => {
    const { before, w } = await setup();
    expect((await kubectl(['label', 'task', 't1', 'app=demo', '--overwrite'])).stdout).to.equal('task.aliecs.alice.cern/t1 not labeled\n');
    expect(stored().text).to.equal(before.text);
    await expectNoEventsBefore(w, String(before.meta['resourceVersion']));
  });

  it('kubectl patch (merge and JSON) setting the value it has: "patched (no change)", same resourceVersion, generation and managedFields', async () => {
    const { before, w } = await setup();
    const merge = await kubectl(['patch', 'task', 't1', '--type=merge', '-p', '{"spec":{"state":"standby"},"metadata":{"labels":{"app":"demo"}}}']);
    expect(merge).to.deep.equal({ code: 0, stdout: 'task.aliecs.alice.cern/t1 patched (no change)\n', stderr: '' });
    const json = await kubectl(['patch', 'task', 't1', '--type=json', '-p', '[{"op":"replace","path":"/spec/state","value":"standby"}]']);
    expect(json.stdout).to.equal('task.aliecs.alice.cern/t1 patched (no change)\n');
    // A merge patch removing a field that is not there changes nothing either.
    expect((await kubectl(['patch', 'task', 't1', '--type=merge', '-p', '{"spec":{"control":null}}'])).stdout).to.equal(
      'task.aliecs.alice.cern/t1 patched (no change)\n',
    );
    const after = stored();
    expect(after.text).to.equal(before.text);
    expect([after.meta['resourceVersion'], after.meta['generation']]).to.deep.equal([before.meta['resourceVersion'], 1]);
    await expectNoEventsBefore(w, String(before.meta['resourceVersion']));
  });

  it('the response to a no-op patch is the stored object, byte for byte', async () => {
    const { before, w } = await setup();
    const got = await call('GET', `${TASKS}/t1`);
    const patched = await call('PATCH', `${TASKS}/t1?fieldManager=someone-else`, {
      body: { spec: { state: 'standby' } },
      contentType: 'application/merge-patch+json',
    });
    expect(patched.status).to.equal(200);
    expect(patched.text).to.equal(got.text);
    // A manager that took no field gets no managedFields entry.
    expect(stored().text).to.equal(before.text);
    w.stop();
  });

  it('server-side apply of the same configuration: "serverside-applied", but no write (managedFields time kept)', async () => {
    const { before, w } = await setup(['apply', '--server-side', '-f', '-']);
    const again = await kubectl(['apply', '--server-side', '-f', '-'], T1);
    expect(again).to.deep.equal({ code: 0, stdout: 'task.aliecs.alice.cern/t1 serverside-applied\n', stderr: '' });
    expect(stored().text).to.equal(before.text);
    await expectNoEventsBefore(w, String(before.meta['resourceVersion']));
  });

  it('a real change still writes: a new resourceVersion, generation only for spec', async () => {
    const { before, w } = await setup();
    const rv = Number(before.meta['resourceVersion']);
    expect((await kubectl(['patch', 'task', 't1', '--type=merge', '-p', '{"spec":{"state":"configured"}}'])).stdout).to.equal(
      'task.aliecs.alice.cern/t1 patched\n',
    );
    expect([stored().meta['resourceVersion'], stored().meta['generation']]).to.deep.equal([String(rv + 1), 2]);
    expect((await kubectl(['label', 'task', 't1', 'foo=bar'])).stdout).to.equal('task.aliecs.alice.cern/t1 labeled\n');
    expect((await kubectl(['label', 'task', 't1', 'foo-'])).stdout).to.equal('task.aliecs.alice.cern/t1 unlabeled\n');
    expect([stored().meta['resourceVersion'], stored().meta['generation']]).to.deep.equal([String(rv + 3), 2]);
    await until(() => w.events.length === 3, 'three watch events');
    w.stop();
  });
});
