import { expect } from 'chai';
import { executorStateFor, isTerminal, parseTaskState } from '../../src/task/states.ts';
import { TRANSITIONS, parseTransitionEvent, ruleFor } from '../../src/task/transitions.ts';

describe('task/states', () => {
  it('maps the task manager states onto executor states', () => {
    expect(executorStateFor('standby')).to.equal('TASK_RUNNING');
    expect(executorStateFor('configured')).to.equal('TASK_RUNNING');
    expect(executorStateFor('running')).to.equal('TASK_RUNNING');
    expect(executorStateFor('error')).to.equal('TASK_FAILED');
    expect(executorStateFor('done')).to.equal('TASK_FINISHED');
    expect(executorStateFor('not-mapped')).to.equal(undefined);
    expect(executorStateFor(undefined)).to.equal(undefined);
  });

  it('understands upper-case values like the original and keeps unknown ones verbatim', () => {
    expect(parseTaskState('RUNNING')).to.equal('running');
    expect(parseTaskState(' Configured ')).to.equal('configured');
    expect(parseTaskState('exploded')).to.deep.equal({ unknown: 'exploded' });
    expect(parseTaskState('')).to.equal(undefined);
    expect(parseTaskState(42)).to.equal(undefined);
  });

  it('knows which executor states are terminal', () => {
    expect(isTerminal('TASK_RUNNING')).to.equal(false);
    expect(isTerminal(undefined)).to.equal(false);
    for (const state of ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST'] as const) expect(isTerminal(state)).to.equal(true);
  });
});

describe('task/transitions', () => {
  it('has the upstream state machine', () => {
    expect(TRANSITIONS.CONFIGURE).to.include({ from: 'standby', to: 'configured', carries: 'arguments' });
    expect(TRANSITIONS.START).to.include({ from: 'configured', to: 'running' });
    expect(TRANSITIONS.STOP).to.include({ from: 'running', to: 'configured' });
    expect(TRANSITIONS.RESET).to.include({ from: 'configured', to: 'standby' });
  });

  it('parses event names case-insensitively and rejects what a Task cannot do', () => {
    expect(parseTransitionEvent('configure')).to.equal('CONFIGURE');
    expect(parseTransitionEvent('GO_ERROR')).to.equal('GO_ERROR');
    expect(parseTransitionEvent('launch')).to.equal(undefined);
    expect(ruleFor('GO_ERROR')).to.equal(undefined);
    expect(ruleFor('EXIT')).to.equal(undefined);
    expect(ruleFor('START')?.to).to.equal('running');
  });
});
