import { expect } from 'chai';
import { EXIT, diagnose, exitCodeFor, exitCodeForReason } from '../../src/cli/exit-codes.ts';
import { UsageError } from '../../src/cli/usage-error.ts';
import { KubectlError } from '../../src/kubectl/errors.ts';
import { TaskError } from '../../src/task/errors.ts';
import { RenderError } from '../../src/render/index.ts';

const result = (stderr: string) => ({ argv: ['kubectl', 'apply'], exitCode: 1, stdout: '', stderr, durationMs: 5, timedOut: false });

describe('cli/exit-codes', () => {
  it('maps each error family to its documented exit code', () => {
    expect(exitCodeFor(new UsageError('bad flag'))).to.equal(EXIT.usage);
    expect(exitCodeFor(new RenderError({ message: 'f: missing variables: A (line 1)', file: 'f' }))).to.equal(EXIT.usage);
    expect(exitCodeFor(new KubectlError({ reason: 'Forbidden', message: 'x' }))).to.equal(EXIT.cluster);
    expect(exitCodeFor(new TaskError({ reason: 'WrongState', taskId: 't', message: 'x' }))).to.equal(EXIT.usage);
    expect(exitCodeFor(new TaskError({ reason: 'TransitionFailed', taskId: 't', message: 'x' }))).to.equal(EXIT.taskFailed);
    expect(exitCodeFor(new TaskError({ reason: 'TransitionTimeout', taskId: 't', message: 'x' }))).to.equal(EXIT.taskFailed);
    expect(exitCodeFor(new TaskError({ reason: 'TaskGone', taskId: 't', message: 'x' }))).to.equal(EXIT.cluster);
    expect(exitCodeFor(new TaskError({ reason: 'OwnedElsewhere', taskId: 't', message: 'x' }))).to.equal(EXIT.cluster);
    expect(exitCodeFor(new Error('unexpected'))).to.equal(EXIT.cluster);
    // A launch that got no status, or found its task launched already: the task's outcome, 1.
    expect(exitCodeFor(new TaskError({ reason: 'NoStatus', taskId: 't', message: 'x' }))).to.equal(EXIT.taskFailed);
    expect(exitCodeFor(new TaskError({ reason: 'AlreadyLaunched', taskId: 't', message: 'x' }))).to.equal(EXIT.taskFailed);
    // Naming a task wrongly: launching one found by id, an id on several Tasks.
    expect(exitCodeFor(new TaskError({ reason: 'NoTemplate', taskId: 't', message: 'x' }))).to.equal(EXIT.usage);
    expect(exitCodeFor(new TaskError({ reason: 'Ambiguous', taskId: 't', message: 'x' }))).to.equal(EXIT.usage);
    // kill reports a reason string, not an error: the same table answers.
    expect(exitCodeForReason('ManifestError')).to.equal(EXIT.usage);
    expect(exitCodeForReason('Unreachable')).to.equal(EXIT.cluster);
  });

  it('adds only the kubectl stderr lines the diagnosis does not already say', () => {
    const error = new KubectlError({
      reason: 'Invalid',
      message: 'kubectl apply: Invalid: The Task "a" is invalid: spec.state: Required value, spec.bind[0].global: Required value',
      result: result('Warning: unknown field "spec.foo"\nThe Task "a" is invalid: \n* spec.state: Required value\n* spec.bind[0].global: Required value\n'),
    });
    expect(diagnose(error).split('\n')).to.deep.equal([
      'error: kubectl apply: Invalid: The Task "a" is invalid: spec.state: Required value, spec.bind[0].global: Required value [Invalid]',
      '  Warning: unknown field "spec.foo"',
    ]);
    const plain = new KubectlError({
      reason: 'NotFound',
      message: 'kubectl get: NotFound: tasks "x" not found',
      result: result('Error from server (NotFound): tasks "x" not found\n'),
    });
    expect(diagnose(plain)).to.equal('error: kubectl get: NotFound: tasks "x" not found [NotFound]');
    expect(diagnose(new Error('boom'))).to.equal('error: boom');
    expect(diagnose(new TaskError({ reason: 'NoStatus', taskId: 't', message: 'task t: no status' }))).to.equal('error: task t: no status [NoStatus]');
  });

  it("never prints the patch kubectl echoes, nor secret-looking values, from kubectl's stderr", () => {
    const error = new KubectlError({
      reason: 'Forbidden',
      message: 'kubectl apply: Forbidden: secrets "db" is forbidden: User "task-executor" cannot patch resource "secrets"',
      result: result(
        [
          'Error from server (Forbidden): error when applying patch:',
          '{"stringData":{"db.conf":"user=x pw=hunter2","password":"hunter2"}}',
          'to:',
          'Resource: "/v1, Resource=secrets", GroupVersionKind: "/v1, Kind=Secret"',
          'Name: "db", Namespace: "tasks"',
          'for: "STDIN": error when patching "STDIN": secrets "db" is forbidden: User "task-executor" cannot patch resource "secrets"',
          'W1125 01:00:00.000000 1 warnings.go:70] token: "abc" was used with "password": "hunter2"',
        ].join('\n'),
      ),
    });
    const text = diagnose(error);
    expect(text).not.to.contain('hunter2');
    expect(text).to.contain('<patch not shown>');
    expect(text).to.contain('Name: "db", Namespace: "tasks"');
  });
});
