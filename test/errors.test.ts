import { expect } from 'chai';
import { EXIT_CODES } from '../src/cli/exit-codes.ts';
import { UsageError, isUsageError } from '../src/cli/usage-error.ts';
import { BridgeError, isBridgeError } from '../src/bridge/errors.ts';
import { BRIDGE_REASONS, INPUT_REASONS, KUBECTL_REASONS, ReasonedError, TASK_REASONS, isReason, isReasonedError, reasonOf } from '../src/errors.ts';
import { KubectlError, isKubectlError } from '../src/kubectl/errors.ts';
import { ManifestError, isManifestError } from '../src/manifest/errors.ts';
import { WorkflowError } from '../src/manifest/workflow.ts';
import { EnvParseError, isEnvParseError } from '../src/render/env-list.ts';
import { RenderError, isRenderError } from '../src/render/errors.ts';
import { ExecutorEnvError, isExecutorEnvError } from '../src/render/executor-env.ts';
import { TaskError, isTaskError, scrubError } from '../src/task/errors.ts';

describe('errors: one family, one reason vocabulary', () => {
  const members: readonly [ReasonedError, (value: unknown) => boolean, string][] = [
    [new KubectlError({ reason: 'Forbidden', message: 'x' }), isKubectlError, 'Forbidden'],
    [new TaskError({ reason: 'WrongState', taskId: 't', message: 'x' }), isTaskError, 'WrongState'],
    [new RenderError({ message: 'x', file: 'f' }), isRenderError, 'RenderError'],
    [new EnvParseError('x'), isEnvParseError, 'EnvParseError'],
    [new ExecutorEnvError('x'), isExecutorEnvError, 'ExecutorEnvError'],
    [new ManifestError({ message: 'x', file: 'f' }), isManifestError, 'ManifestError'],
    [new WorkflowError('f', 'x'), isManifestError, 'ManifestError'],
    [new BridgeError('BadRequest', 'x'), isBridgeError, 'BadRequest'],
    [new UsageError('x'), isUsageError, 'UsageError'],
  ];

  it('every class is a ReasonedError with a reason of the vocabulary, and has its guard', () => {
    for (const [error, guard, reason] of members) {
      expect(error, error.name).to.be.instanceOf(ReasonedError);
      expect(isReasonedError(error)).to.equal(true);
      expect(error.reason, error.name).to.equal(reason);
      expect(isReason(error.reason)).to.equal(true);
      expect(reasonOf(error)).to.equal(reason);
      expect(guard(error), error.name).to.equal(true);
      expect(guard(new Error('x')), error.name).to.equal(false);
      expect(error).not.to.have.property('code');
    }
  });

  it('an error outside the family is Unknown, whatever code it carries', () => {
    expect(reasonOf(Object.assign(new Error('x'), { code: 'ENOENT' }))).to.equal('Unknown');
    expect(reasonOf('text')).to.equal('Unknown');
  });

  it('the vocabulary has no reason twice and none that nothing produces', () => {
    const all = [...KUBECTL_REASONS, ...TASK_REASONS, ...INPUT_REASONS, ...BRIDGE_REASONS];
    expect(new Set(all).size).to.equal(all.length);
    expect(isReason('UserLookup')).to.equal(false);
    expect(isReason('WorkflowError')).to.equal(false);
    // The exit-code table is typed over Reason; at run time it holds exactly the vocabulary.
    expect(Object.keys(EXIT_CODES).sort()).to.deep.equal([...all].sort());
  });

  it('scrubbing a secret out of a message keeps the reason', () => {
    const scrubbed = scrubError(new RenderError({ message: 'f: value hunter22 refused', file: 'f' }), ['hunter22']);
    expect(reasonOf(scrubbed)).to.equal('RenderError');
    expect((scrubbed as Error).message).to.equal('f: value <redacted> refused');
  });
});
