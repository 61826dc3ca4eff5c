import { expect } from 'chai';
import { Kubectl } from '../../src/kubectl/runner.ts';
import { KubectlTask } from '../../src/task/kubectl-task.ts';
import { taskIdProblem } from '../../src/task/task-id.ts';

describe('task/task-id: what a task id may be', () => {
  it('takes any text without control characters and without whitespace at either end', () => {
    for (const id of ['t1', 'flp-001', 'a b', 'ECS/2W3x:ülk', '😀', 'x'.repeat(300)]) expect(taskIdProblem(id), JSON.stringify(id)).to.equal(undefined);
  });

  it('says why it refuses one', () => {
    for (const id of ['', ' ', '\t']) expect(taskIdProblem(id), JSON.stringify(id)).to.equal('must not be empty');
    for (const id of [' t1', 't1 ', 't1\n', 'a\nb', 'a\u0007b', 'a\u007fb', '\u0000']) {
      expect(taskIdProblem(id), JSON.stringify(id)).to.equal('must not start or end with whitespace, or contain control characters');
    }
  });

  it('KubectlTask refuses such an id before anything runs, naming it', () => {
    const kubectl = new Kubectl({ binary: '/nonexistent/kubectl' });
    expect(() => new KubectlTask({ id: 'a\nb', kubectl, template: { text: 'kind: Task' } })).to.throw(
      TypeError,
      'KubectlTask id "a\\nb" must not start or end with whitespace, or contain control characters',
    );
    expect(() => new KubectlTask({ id: ' ', kubectl, template: { text: 'kind: Task' } })).to.throw(TypeError, 'KubectlTask needs a non-empty id');
  });
});
