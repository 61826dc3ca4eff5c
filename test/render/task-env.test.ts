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
  it('defaults to a copy of process.env and never writes it', () => {
    const before = JSON.stringify(process.env);
    const env = taskEnvironment({ taskEnv: { KT_TASK_ENV_PROBE: 'x' } });
    expect(env['PATH']).to.equal(process.env['PATH']);
    expect(env['KT_TASK_ENV_PROBE']).to.equal('x');
    expect(JSON.stringify(process.env)).to.equal(before);
  });
  it('two tasks get independent environments', () => {
    const a = taskEnvironment({ base: {}, taskEnv: { A: '1' } });
    const b = taskEnvironment({ base: {}, taskEnv: { B: '2' } });
    expect(a).to.deep.equal({ A: '1' });
    expect(b).to.deep.equal({ B: '2' });
  });
});
