import { expect } from 'chai';
import { alreadyExists, deleteSuccess, injected, invalid, notFound } from '../../../src/sandbox/core/status.ts';

describe('sandbox/core/status', () => {
  it('words NotFound for a core resource without a group in details', () => {
    const e = notFound({ name: 'readout-config', group: '', kind: 'configmaps' });
    expect(JSON.stringify(e.body)).to.equal(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"readout-config\\" not found","reason":"NotFound","details":{"name":"readout-config","kind":"configmaps"},"code":404}',
    );
    expect(alreadyExists({ name: 't1', group: 'aliecs.alice.cern', kind: 'tasks' }).body['message']).to.equal('tasks.aliecs.alice.cern "t1" already exists');
  });

  it('puts one cause inline and several in brackets', () => {
    const cause = (field: string) => ({ reason: 'FieldValueRequired', message: 'Required value', field });
    const one = invalid({ kind: 'Task', group: 'aliecs.alice.cern', name: 't1', causes: [cause('spec.a')] });
    expect(one.body['message']).to.equal('Task.aliecs.alice.cern "t1" is invalid: spec.a: Required value');
    const two = invalid({ kind: 'Task', group: 'aliecs.alice.cern', name: 't1', causes: [cause('spec.a'), cause('spec.b')] });
    expect(two.body['message']).to.equal('Task.aliecs.alice.cern "t1" is invalid: [spec.a: Required value, spec.b: Required value]');
    expect(two.code).to.equal(422);
  });

  it('builds the Success Status of a delete and injected failures with Retry-After', () => {
    expect(deleteSuccess({ name: 'm1', group: 'aliecs.alice.cern', kind: 'tasks', uid: 'u' })).to.deep.equal({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'm1', group: 'aliecs.alice.cern', kind: 'tasks', uid: 'u' },
    });
    const e = injected(503, 2);
    expect(e.headers).to.deep.equal({ 'retry-after': '2' });
    expect(e.body).to.include({ reason: 'ServiceUnavailable', code: 503 });
    expect(injected(401).body).to.not.have.property('details');
  });
});
