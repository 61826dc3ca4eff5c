/**
 * The trap of recording batch/28, without the reference: a partial server-side apply onto Tasks
 * made by client-side apply. With --force-conflicts kubectl migrates the client-side ownership to
 * the applier (a JSON patch replacing metadata.managedFields) and applies again, which removes every
 * field the partial object does not list. Plus the managedFields rules that migration relies on.
 */
import { expect } from 'chai';
import { runKubectl } from '../../helpers/sandbox.ts';
import { sandboxPerTest, type Call } from '../sandbox-client.ts';

const TASKS = '/apis/aliecs.alice.cern/v1alpha1/namespaces/test/tasks';

const full = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata:
  name: t1
  labels: {app.kubernetes.io/managed-by: kubectl-task}
spec:
  state: standby
  control: {mode: direct, port: 31000}
`;
const partial = `apiVersion: aliecs.alice.cern/v1alpha1
kind: Task
metadata: {name: t1}
spec: {state: configured}
`;

describe('sandbox server-side apply after client-side apply (real kubectl)', function () {
  this.timeout(30_000);
  const ctx = sandboxPerTest({ crd: 'project' });
  const call: Call = (method, path, options) => ctx.call(method, path, options);

  it('a forced partial apply migrates ownership and leaves only the applied fields', async () => {
    expect((await runKubectl(ctx.test.env, ['apply', '-f', '-'], full)).code).to.equal(0);
    const refused = await runKubectl(ctx.test.env, ['apply', '--server-side', '--field-manager=transition', '-f', '-'], partial);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using aliecs.alice.cern/v1alpha1: .spec.state');
    ctx.sandbox.requestLog.clear();
    const forced = await runKubectl(ctx.test.env, ['apply', '--server-side', '--field-manager=transition', '--force-conflicts', '-f', '-'], partial);
    expect(forced.stdout).to.equal('task.aliecs.alice.cern/t1 serverside-applied\n');
    // Apply, the migration patch, apply again.
    const patches = ctx.sandbox.requestLog.entries.filter((e) => e.method === 'PATCH').map((e) => e.query);
    expect(patches).to.deep.equal([
      'fieldManager=transition&fieldValidation=Strict&force=true',
      'fieldManager=transition&fieldValidation=Strict',
      'fieldManager=transition&fieldValidation=Strict&force=true',
    ]);
    const t1 = ctx.sandbox.store.get('tasks', 'test', 't1')!;
    expect(t1['spec']).to.deep.equal({ state: 'configured' });
    const meta = t1['metadata'] as Record<string, unknown>;
    expect(meta['labels']).to.equal(undefined);
    expect(meta['annotations']).to.equal(undefined);
    expect(meta['generation']).to.equal(3);
    expect((meta['managedFields'] as Record<string, unknown>[]).map((e) => [e['manager'], e['operation'], JSON.stringify(e['fieldsV1'])])).to.deep.equal([
      ['transition', 'Apply', '{"f:spec":{"f:state":{}}}'],
    ]);
  });

  it('takes managedFields a patch sets, resets them on an empty list, and keeps them when a patch leaves them alone', async () => {
    await call('POST', TASKS, { body: { apiVersion: 'aliecs.alice.cern/v1alpha1', kind: 'Task', metadata: { name: 't2' }, spec: { state: 'standby' } } });
    const entry = {
      manager: 'someone',
      operation: 'Apply',
      apiVersion: 'aliecs.alice.cern/v1alpha1',
      time: '2026-01-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:state': {} } },
    };
    const replaced = await call('PATCH', `${TASKS}/t2`, {
      body: [{ op: 'replace', path: '/metadata/managedFields', value: [entry] }],
      contentType: 'application/json-patch+json',
    });
    expect(replaced.status).to.equal(200);
    expect((replaced.json['metadata'] as Record<string, unknown>)['managedFields']).to.deep.equal([entry]);
    const merged = await call('PATCH', `${TASKS}/t2`, { body: { metadata: { labels: { a: 'b' } } }, contentType: 'application/merge-patch+json' });
    const fields = (merged.json['metadata'] as Record<string, unknown>)['managedFields'] as Record<string, unknown>[];
    expect(fields.map((e) => e['manager'])).to.deep.equal(['someone', 'unknown']);
    const reset = await call('PATCH', `${TASKS}/t2`, { body: { metadata: { managedFields: [] } }, contentType: 'application/merge-patch+json' });
    expect((reset.json['metadata'] as Record<string, unknown>)['managedFields']).to.equal(undefined);
  });
});
