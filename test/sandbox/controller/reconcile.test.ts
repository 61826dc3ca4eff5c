import { expect } from 'chai';
import type { JsonObject } from '../../../src/json.ts';
import {
  ANNOTATION_DELAY_MS,
  ANNOTATION_DONE_AFTER_MS,
  ANNOTATION_ERROR_MESSAGE,
  ANNOTATION_ERROR_ON,
  ANNOTATION_STUCK,
  reconcile,
} from '../../../src/sandbox/controller/reconcile.ts';

function task(opts: { spec?: string; status?: string; annotations?: Record<string, string> }): JsonObject {
  const obj: JsonObject = {
    apiVersion: 'aliecs.alice.cern/v1alpha1',
    kind: 'Task',
    metadata: { name: 't1', namespace: 'ns', annotations: opts.annotations ?? {} },
    spec: opts.spec === undefined ? {} : { state: opts.spec },
  };
  if (opts.status !== undefined) obj['status'] = { state: opts.status };
  return obj;
}

const base = { defaultDelayMs: 200, desiredSinceMs: 1000, actualSinceMs: 5000 };

describe('sandbox/controller/reconcile', () => {
  it('gives a fresh Task without status its spec.state after the default delay', () => {
    expect(reconcile({ ...base, task: task({ spec: 'standby' }) })).to.deep.equal({
      kind: 'write',
      atMs: 1200,
      status: { state: 'standby' },
    });
  });

  it('follows a changed spec.state, lower-casing it', () => {
    expect(reconcile({ ...base, task: task({ spec: 'Configured', status: 'standby' }) })).to.deep.equal({
      kind: 'write',
      atMs: 1200,
      status: { state: 'configured' },
    });
  });

  it('mirrors deployed like any other desired state', () => {
    const plan = reconcile({ ...base, task: task({ spec: 'deployed', status: 'standby' }) });
    expect(plan).to.deep.equal({ kind: 'write', atMs: 1200, status: { state: 'deployed' } });
  });

  it('does nothing when status already matches spec (case-insensitively)', () => {
    expect(reconcile({ ...base, task: task({ spec: 'running', status: 'RUNNING' }) })).to.deep.equal({ kind: 'none' });
  });

  it('does nothing without a spec.state', () => {
    expect(reconcile({ ...base, task: task({}) })).to.deep.equal({ kind: 'none' });
  });

  it('uses the fake-delay-ms annotation instead of the default delay', () => {
    const plan = reconcile({ ...base, task: task({ spec: 'configured', annotations: { [ANNOTATION_DELAY_MS]: '0' } }) });
    expect(plan).to.deep.equal({ kind: 'write', atMs: 1000, status: { state: 'configured' } });
  });

  it('ignores a malformed fake-delay-ms annotation', () => {
    const plan = reconcile({ ...base, task: task({ spec: 'configured', annotations: { [ANNOTATION_DELAY_MS]: '-5ms' } }) });
    expect(plan).to.deep.include({ atMs: 1200 });
  });

  it('writes error with a default message naming the transition (fake-error-on)', () => {
    const plan = reconcile({
      ...base,
      task: task({ spec: 'configured', status: 'standby', annotations: { [ANNOTATION_ERROR_ON]: 'configured' } }),
    });
    expect(plan.kind).to.equal('write');
    if (plan.kind !== 'write') return;
    expect(plan.atMs).to.equal(1200);
    expect(plan.status['state']).to.equal('error');
    expect(plan.status['error'])
      .to.be.a('string')
      .and.match(/standby -> configured/);
  });

  it('uses fake-error-message when present', () => {
    const plan = reconcile({
      ...base,
      task: task({
        spec: 'running',
        status: 'configured',
        annotations: { [ANNOTATION_ERROR_ON]: 'running', [ANNOTATION_ERROR_MESSAGE]: 'boom' },
      }),
    });
    expect(plan).to.deep.equal({ kind: 'write', atMs: 1200, status: { state: 'error', error: 'boom' } });
  });

  it('does not fire fake-error-on for other transitions', () => {
    const plan = reconcile({
      ...base,
      task: task({ spec: 'configured', status: 'standby', annotations: { [ANNOTATION_ERROR_ON]: 'running' } }),
    });
    expect(plan).to.deep.equal({ kind: 'write', atMs: 1200, status: { state: 'configured' } });
  });

  it('writes done n ms after reaching running (fake-done-after-ms)', () => {
    const plan = reconcile({
      ...base,
      task: task({ spec: 'running', status: 'running', annotations: { [ANNOTATION_DONE_AFTER_MS]: '300' } }),
    });
    expect(plan).to.deep.equal({ kind: 'write', atMs: 5300, status: { state: 'done' } });
  });

  it('does not write done before running is reached', () => {
    const plan = reconcile({
      ...base,
      task: task({ spec: 'running', status: 'configured', annotations: { [ANNOTATION_DONE_AFTER_MS]: '300' } }),
    });
    expect(plan).to.deep.equal({ kind: 'write', atMs: 1200, status: { state: 'running' } });
  });

  it('never writes for a stuck Task', () => {
    const plan = reconcile({ ...base, task: task({ spec: 'configured', annotations: { [ANNOTATION_STUCK]: 'true' } }) });
    expect(plan).to.deep.equal({ kind: 'none' });
  });

  for (const terminal of ['error', 'done', 'ERROR']) {
    it(`stays in ${terminal} whatever spec.state asks`, () => {
      expect(reconcile({ ...base, task: task({ spec: 'standby', status: terminal }) })).to.deep.equal({ kind: 'none' });
    });
  }
});
