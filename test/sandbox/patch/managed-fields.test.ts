import { expect } from 'chai';
import type { JsonObject, JsonValue } from '../../../src/json.ts';
import { diffPaths, fieldsToPaths, pathsToFields, updateManagedFields } from '../../../src/sandbox/patch/managed-fields.ts';

const base: JsonObject = {
  apiVersion: 'aliecs.alice.cern/v1alpha1',
  kind: 'Task',
  metadata: { name: 't1', namespace: 'rec', uid: 'u', labels: { a: 'b' } },
  spec: { state: 'standby', control: { mode: 'direct', port: 31000 } },
};
const entries = (v: JsonValue[]) => v as { manager: string; subresource?: string; fieldsV1: JsonObject; time: string }[];

describe('sandbox/patch/managed-fields', () => {
  it('gives the creator every field, with "." on maps it created and no metadata identity fields', () => {
    const mf = entries(
      updateManagedFields({ before: null, after: base, manager: 'kubectl-client-side-apply', apiVersion: 'aliecs.alice.cern/v1alpha1', time: 'T1' }),
    );
    expect(mf).to.have.length(1);
    expect(mf[0]!.fieldsV1).to.deep.equal({
      'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } },
      'f:spec': { '.': {}, 'f:control': { '.': {}, 'f:mode': {}, 'f:port': {} }, 'f:state': {} },
    });
  });

  it('moves changed fields to the acting manager, as the 1.26 recordings show', () => {
    const created = {
      ...base,
      metadata: {
        ...(base['metadata'] as JsonObject),
        managedFields: updateManagedFields({ before: null, after: base, manager: 'csa', apiVersion: 'v', time: 'T1' }),
      },
    };
    const patched: JsonObject = structuredClone(created);
    (patched['spec'] as JsonObject)['state'] = 'configured';
    (patched['spec'] as JsonObject)['arguments'] = { x: '1' };
    const mf = entries(updateManagedFields({ before: created, after: patched, manager: 'kubectl-patch', apiVersion: 'v', time: 'T2' }));
    expect(mf.map((e) => e.manager)).to.deep.equal(['csa', 'kubectl-patch']);
    expect(mf[0]!.fieldsV1['f:spec']).to.deep.equal({ '.': {}, 'f:control': { '.': {}, 'f:mode': {}, 'f:port': {} } });
    expect(mf[1]!.fieldsV1).to.deep.equal({ 'f:spec': { 'f:arguments': { '.': {}, 'f:x': {} }, 'f:state': {} } });
    expect(mf[0]!.time).to.equal('T1');
  });

  it('keeps a status-subresource entry apart and sorts entries by time', () => {
    const withStatus: JsonObject = { ...structuredClone(base), status: { state: 'RUNNING' } };
    const mf = entries(updateManagedFields({ before: base, after: withStatus, manager: 'kubectl-patch', subresource: 'status', apiVersion: 'v', time: 'T0' }));
    expect(mf[0]).to.include({ manager: 'kubectl-patch', subresource: 'status' });
    expect(mf[0]!.fieldsV1).to.deep.equal({ 'f:status': { '.': {}, 'f:state': {} } });
  });

  it('drops removed fields from every owner and entries that end up empty', () => {
    const before = {
      ...base,
      metadata: {
        ...(base['metadata'] as JsonObject),
        managedFields: [
          {
            apiVersion: 'v',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } },
            manager: 'labeler',
            operation: 'Update',
            time: 'T0',
          },
        ],
      },
    };
    const after: JsonObject = structuredClone(before);
    delete (after['metadata'] as JsonObject)['labels'];
    const mf = entries(updateManagedFields({ before, after, manager: 'x', apiVersion: 'v', time: 'T1' }));
    expect(mf).to.deep.equal([]);
  });

  it('round-trips fieldsV1 and encodes finalizers as a set', () => {
    const fields = { 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"a/b"': {} } }, 'f:spec': { 'f:x': {} } };
    expect(pathsToFields(fieldsToPaths(fields))).to.deep.equal(fields);
    const { touched } = diffPaths({ metadata: {} }, { metadata: { finalizers: ['a/b'] } });
    expect(pathsToFields(touched)).to.deep.equal({ 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"a/b"': {} } } });
  });
});
