import { expect } from 'chai';
import { taskEnvironment } from '../../src/render/task-env.ts';

describe('render: taskEnvironment', () => {
  it('base < executor < task env, in a fresh frozen object', () => {
    const base = { PATH: '/bin', FLP_UID: 'base', X: undefined };
    const env = taskEnvironment({ base, executor: { FLP_UID: '1000', KUBE_COMMAND: 'c' }, taskEnv: { KUBE_COMMAND: 'task' } });
    expect(env).to.deep.equal({ PATH: '/bin', FLP_UID: '1000', KUBE_COMMAND: 'task' });
    expect(Object.isFrozen(env)).to.equal(true);
    expect(base).to.deep.equal({ PATH: '/bin', FLP_UID: 'base', X: undefined });
  });
  it('has no base unless given: the process environment never leaks in, and is never written', () => {
    const before = JSON.stringify(process.env);
    const env = taskEnvironment({ taskEnv: { KT_TASK_ENV_PROBE: 'x' }, executor: { KUBE_COMMAND: 'c' } });
    expect(process.env['PATH']).to.be.a('string');
    expect(env).to.deep.equal({ KT_TASK_ENV_PROBE: 'x', KUBE_COMMAND: 'c' });
    expect(JSON.stringify(process.env)).to.equal(before);
  });
  it('two tasks get independent environments', () => {
    const a = taskEnvironment({ base: {}, taskEnv: { A: '1' } });
    const b = taskEnvironment({ base: {}, taskEnv: { B: '2' } });
    expect(a).to.deep.equal({ A: '1' });
    expect(b).to.deep.equal({ B: '2' });
  });
});
