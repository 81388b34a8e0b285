import {
  assertTransition,
  IllegalTransitionError,
  isLegalTransition,
  TASK_STATES,
  TASK_TRANSITIONS,
  type TaskState,
} from './task-state';

describe('task lifecycle transitions', () => {
  const legal: Array<[TaskState, TaskState]> = [
    ['CREATED', 'QUEUED'],
    ['CREATED', 'CANCELLED'],
    ['QUEUED', 'SCHEDULED'],
    ['QUEUED', 'PAUSED'],
    ['QUEUED', 'CANCELLED'],
    ['SCHEDULED', 'RUNNING'],
    ['SCHEDULED', 'QUEUED'],
    ['SCHEDULED', 'RETRYING'],
    ['SCHEDULED', 'PAUSED'],
    ['SCHEDULED', 'FAILED'],
    ['SCHEDULED', 'CANCELLED'],
    ['RUNNING', 'COMPLETED'],
    ['RUNNING', 'FAILED'],
    ['RUNNING', 'RETRYING'],
    ['RUNNING', 'PAUSED'],
    ['RUNNING', 'CANCELLED'],
    ['PAUSED', 'QUEUED'],
    ['PAUSED', 'CANCELLED'],
    ['RETRYING', 'QUEUED'],
    ['RETRYING', 'PAUSED'],
    ['RETRYING', 'FAILED'],
    ['RETRYING', 'CANCELLED'],
    ['FAILED', 'QUEUED'],
  ];

  it.each(legal)('allows %s -> %s', (from, to) => {
    expect(isLegalTransition(from, to)).toBe(true);
    expect(() => assertTransition('tsk_abcdef', from, to)).not.toThrow();
  });

  it('lists exactly the legal pairs above, no more', () => {
    const all = TASK_STATES.flatMap((from) => TASK_TRANSITIONS[from].map((to) => `${from}->${to}`)).sort();
    expect(all).toEqual(legal.map(([f, t]) => `${f}->${t}`).sort());
  });

  const illegal: Array<[TaskState, TaskState]> = [
    ['CREATED', 'RUNNING'],
    ['CREATED', 'COMPLETED'],
    ['QUEUED', 'RUNNING'],
    ['QUEUED', 'COMPLETED'],
    ['SCHEDULED', 'COMPLETED'],
    ['RUNNING', 'QUEUED'],
    ['RUNNING', 'SCHEDULED'],
    ['PAUSED', 'RUNNING'],
    ['RETRYING', 'RUNNING'],
    ['FAILED', 'COMPLETED'],
    ['COMPLETED', 'QUEUED'],
    ['COMPLETED', 'FAILED'],
    ['CANCELLED', 'QUEUED'],
    ['CANCELLED', 'RUNNING'],
  ];

  it.each(illegal)('refuses %s -> %s with an error naming both states', (from, to) => {
    expect(isLegalTransition(from, to)).toBe(false);
    expect(() => assertTransition('tsk_abcdef', from, to)).toThrow(IllegalTransitionError);
    expect(() => assertTransition('tsk_abcdef', from, to)).toThrow(`cannot move from ${from} to ${to}`);
  });

  it('says when the state is final', () => {
    expect(() => assertTransition('tsk_abcdef', 'COMPLETED', 'QUEUED')).toThrow('COMPLETED is final');
  });

  it('refuses every self-transition', () => {
    for (const state of TASK_STATES) expect(isLegalTransition(state, state)).toBe(false);
  });
});
