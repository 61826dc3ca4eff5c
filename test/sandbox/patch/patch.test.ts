import { expect } from 'chai';
import type { JsonObject } from '../../../src/json.ts';
import {
  applyConflictCauses,
  applyConflictMessage,
  applyJsonPatch,
  applyMergePatch,
  applyServerSideApply,
  applyStrategicMergePatch,
  type PatchOutcome,
} from '../../../src/sandbox/patch/patch.ts';

function t1(): JsonObject {
  return {
    apiVersion: 'aliecs.alice.cern/v1alpha1',
    kind: 'Task',
    metadata: { name: 't1', namespace: 'rec', labels: { 'app.kubernetes.io/managed-by': 'kubectl-task' } },
    spec: { state: 'standby', control: { mode: 'direct', port: 31000 } },
  };
}

function value(o: PatchOutcome): JsonObject {
  if (!o.ok) throw new Error(`patch failed: ${o.message}`);
  return o.value;
}

describe('sandbox/patch/patch', () => {
  describe('applyJsonPatch', () => {
    it('applies the executor patch of recording 10 without touching the input', () => {
      const doc = t1();
      const out = value(
        applyJsonPatch(doc, [
          { op: 'add', path: '/spec/state', value: 'configured' },
          { op: 'add', path: '/spec/arguments', value: { 'chans.readout.0.address': 'ipc://@x', environment_id: 'E1' } },
        ]),
      );
      expect(out['spec']).to.deep.equal({
        state: 'configured',
        control: { mode: 'direct', port: 31000 },
        arguments: { 'chans.readout.0.address': 'ipc://@x', environment_id: 'E1' },
      });
      expect((doc['spec'] as JsonObject)['state']).to.equal('standby');
    });

    it('fails with 422 on a failed test op or an add under a missing parent, 400 on a non-array', () => {
      const failedTest = applyJsonPatch(t1(), [
        { op: 'test', path: '/spec/state', value: 'nope' },
        { op: 'replace', path: '/spec/state', value: 'running' },
      ]);
      expect(failedTest).to.include({ ok: false, code: 422 });
      expect(applyJsonPatch({ metadata: {} }, [{ op: 'add', path: '/spec/state', value: 'x' }])).to.include({ ok: false, code: 422 });
      expect(applyJsonPatch(t1(), [{ op: 'replace', path: '/spec/nope', value: 1 }])).to.include({ ok: false, code: 422 });
      expect(applyJsonPatch(t1(), [{ op: 'jump', path: '/spec' }])).to.include({ ok: false, code: 422 });
      expect(applyJsonPatch(t1(), { op: 'add' })).to.include({ ok: false, code: 400 });
    });
  });

  describe('applyMergePatch', () => {
    it('merges maps, replaces lists, deletes with null', () => {
      const doc: JsonObject = { ...t1(), status: { state: 'STANDBY' }, list: [1, 2] };
      const out = value(applyMergePatch(doc, { spec: { state: 'running', control: { port: null } }, list: [3], status: null }));
      expect(out['spec']).to.deep.equal({ state: 'running', control: { mode: 'direct' } });
      expect(out['list']).to.deep.equal([3]);
      expect(out).to.not.have.property('status');
      expect(applyMergePatch(doc, [1])).to.include({ ok: false, code: 400 });
    });
  });

  describe('applyStrategicMergePatch', () => {
    const pod = (): JsonObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', finalizers: ['a', 'b'] },
      spec: {
        containers: [
          {
            name: 'main',
            image: 'img:1',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [{ containerPort: 80 }],
          },
          { name: 'side', image: 'side:1' },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
      },
    });

    it('merges containers and env by name and appends new items', () => {
      const out = value(
        applyStrategicMergePatch(
          pod(),
          {
            spec: {
              containers: [
                {
                  name: 'main',
                  image: 'img:2',
                  env: [
                    { name: 'B', value: '3' },
                    { name: 'C', value: '4' },
                  ],
                },
                { name: 'new', image: 'n' },
              ],
            },
          },
          'Pod',
        ),
      );
      const containers = (out['spec'] as JsonObject)['containers'] as JsonObject[];
      expect(containers.map((c) => c['name'])).to.deep.equal(['main', 'side', 'new']);
      expect(containers[0]).to.deep.equal({
        name: 'main',
        image: 'img:2',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '3' },
          { name: 'C', value: '4' },
        ],
        ports: [{ containerPort: 80 }],
      });
    });

    it('honours $patch delete/replace, $retainKeys, $deleteFromPrimitiveList and $setElementOrder', () => {
      const out = value(
        applyStrategicMergePatch(
          pod(),
          {
            metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] },
            spec: {
              '$setElementOrder/containers': [{ name: 'side' }, { name: 'main' }],
              containers: [
                { name: 'main', env: [{ $patch: 'replace' }, { name: 'Z', value: '9' }] },
                { name: 'side', image: 'side:2' },
              ],
              volumes: [{ name: 'v', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } }],
            },
          },
          'Pod',
        ),
      );
      const spec = out['spec'] as JsonObject;
      expect((out['metadata'] as JsonObject)['finalizers']).to.deep.equal(['b', 'c']);
      const containers = spec['containers'] as JsonObject[];
      expect(containers.map((c) => c['name'])).to.deep.equal(['side', 'main']);
      expect(containers[1]?.['env']).to.deep.equal([{ name: 'Z', value: '9' }]);
      expect(containers[0]?.['image']).to.equal('side:2');
      expect(spec['volumes']).to.deep.equal([{ name: 'v', configMap: { name: 'cm' } }]);

      const deleted = value(applyStrategicMergePatch(pod(), { spec: { containers: [{ name: 'side', $patch: 'delete' }] } }, 'Pod'));
      expect(((deleted['spec'] as JsonObject)['containers'] as JsonObject[]).map((c) => c['name'])).to.deep.equal(['main']);
      const replaced = value(applyStrategicMergePatch(pod(), { spec: { $patch: 'replace', containers: [{ name: 'only' }] } }, 'Pod'));
      expect(replaced['spec']).to.deep.equal({ containers: [{ name: 'only' }] });
    });

    it('merges ConfigMap data keys, Service ports by port, and falls back to merge patch for other kinds', () => {
      const cm = value(applyStrategicMergePatch({ kind: 'ConfigMap', data: { a: '1', b: '2' } }, { data: { b: null, c: '3' } }, 'ConfigMap'));
      expect(cm['data']).to.deep.equal({ a: '1', c: '3' });
      const svc = value(
        applyStrategicMergePatch(
          { kind: 'Service', spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } },
          { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
          'Service',
        ),
      );
      expect((svc['spec'] as JsonObject)['ports']).to.deep.equal([{ port: 80, targetPort: 9090 }, { port: 443 }]);
      const task = value(applyStrategicMergePatch({ ...t1(), list: [1] }, { list: [2], spec: { state: 'running' } }, 'Task'));
      expect(task['list']).to.deep.equal([2]);
      expect((task['spec'] as JsonObject)['control']).to.deep.equal({ mode: 'direct', port: 31000 });
      // mergepatch.ErrNoMergeKey reaches the client unconverted: a 500 with Go's %v of the item.
      expect(applyStrategicMergePatch(pod(), { spec: { containers: [{ image: 'x' }] } }, 'Pod')).to.deep.equal({
        ok: false,
        code: 500,
        message: 'map: map[image:x] does not contain declared merge key: name',
      });
    });
  });

  describe('applyServerSideApply', () => {
    const now = new Date('2026-11-25T02:00:00.123Z');
    const cm = (data: JsonObject): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'rec' }, data });

    it('creates with an Apply managedFields entry owning exactly the applied fields', () => {
      const { object, conflicts } = applyServerSideApply({ live: null, applied: cm({ a: '1' }), manager: 'kubectl', force: false, now });
      expect(conflicts).to.deep.equal([]);
      expect(object['data']).to.deep.equal({ a: '1' });
      expect((object['metadata'] as JsonObject)['managedFields']).to.deep.equal([
        {
          apiVersion: 'v1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': { 'f:a': {} } },
          manager: 'kubectl',
          operation: 'Apply',
          time: '2026-11-25T02:00:00Z',
        },
      ]);
    });

    it('removes fields the manager applied before and omits now, keeps others', () => {
      const first = applyServerSideApply({ live: null, applied: cm({ a: '1', b: '2' }), manager: 'kubectl', force: false, now }).object;
      const live = { ...first, data: { ...(first['data'] as JsonObject), other: 'x' } };
      const { object } = applyServerSideApply({ live, applied: cm({ a: '1' }), manager: 'kubectl', force: false, now });
      expect(object['data']).to.deep.equal({ a: '1', other: 'x' });
    });

    it('reports a conflict with another manager changing its field, and forces it over', () => {
      const live = cm({ a: '1', b: '2' });
      (live['metadata'] as JsonObject)['managedFields'] = [
        {
          apiVersion: 'v1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } },
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          time: '2026-11-25T01:00:00Z',
        },
      ];
      const same = applyServerSideApply({ live, applied: cm({ a: '1' }), manager: 'kubectl', force: false, now });
      expect(same.conflicts).to.deep.equal([]);
      const clash = applyServerSideApply({ live, applied: cm({ a: '9' }), manager: 'kubectl', force: false, now });
      expect(clash.conflicts).to.deep.equal(['conflict with "kubectl-client-side-apply" using v1: .data.a']);
      expect(applyConflictMessage(clash.conflictDetails)).to.equal('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a');
      expect(applyConflictCauses(clash.conflictDetails)).to.deep.equal([
        { type: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.a' },
      ]);
      const forced = applyServerSideApply({ live, applied: cm({ a: '9' }), manager: 'kubectl', force: true, now });
      expect(forced.conflicts).to.deep.equal([]);
      expect(forced.object['data']).to.deep.equal({ a: '9', b: '2' });
      const entries = (forced.object['metadata'] as JsonObject)['managedFields'] as JsonObject[];
      expect(entries.map((e) => [e['manager'], e['operation'], e['fieldsV1']])).to.deep.equal([
        ['kubectl', 'Apply', { 'f:data': { 'f:a': {} } }],
        ['kubectl-client-side-apply', 'Update', { 'f:data': { '.': {}, 'f:b': {} } }],
      ]);
    });

    it('lists several conflicts grouped by manager', () => {
      expect(
        applyConflictMessage([
          { manager: '"m2"', field: '.spec.x' },
          { manager: '"m1" using v1', field: '.data.a' },
          { manager: '"m1" using v1', field: '.data.b' },
        ]),
      ).to.equal('Apply failed with 3 conflicts: conflicts with "m1" using v1:\n- .data.a\n- .data.b\nconflicts with "m2":\n- .spec.x');
    });

    it('merges keyed lists of built-in kinds and tracks items with k: paths', () => {
      const pod = (containers: JsonObject[]): JsonObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers } });
      const first = applyServerSideApply({ live: null, applied: pod([{ name: 'a', image: 'a:1' }]), manager: 'm1', force: false, now }).object;
      const second = applyServerSideApply({ live: first, applied: pod([{ name: 'b', image: 'b:1' }]), manager: 'm2', force: false, now });
      expect(((second.object['spec'] as JsonObject)['containers'] as JsonObject[]).map((c) => c['name'])).to.deep.equal(['a', 'b']);
      const entries = (second.object['metadata'] as JsonObject)['managedFields'] as JsonObject[];
      expect(entries.find((e) => e['manager'] === 'm2')?.['fieldsV1']).to.deep.equal({
        'f:spec': { 'f:containers': { 'k:{"name":"b"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
      });
      const task = applyServerSideApply({ live: null, applied: { ...t1(), spec: { bind: [{ name: 'x' }] } }, manager: 'm', force: false, now });
      const taskEntries = (task.object['metadata'] as JsonObject)['managedFields'] as JsonObject[];
      expect(taskEntries[0]?.['fieldsV1']).to.deep.equal({
        'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/managed-by': {} } },
        'f:spec': { 'f:bind': {} },
      });
    });
  });
});
