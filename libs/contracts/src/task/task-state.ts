import { z } from 'zod';

/**
 * QUEUED waits in the priority queue (possibly until its `scheduledFor`);
 * SCHEDULED has been handed to a worker that has not started it yet;
 * RUNNING has been started by a worker.
 */
export const TASK_STATES = [
  'CREATED',
  'QUEUED',
  'SCHEDULED',
  'RUNNING',
  'PAUSED',
  'RETRYING',
  'FAILED',
  'COMPLETED',
  'CANCELLED',
] as const;

export const taskStateSchema = z.enum(TASK_STATES);
export type TaskState = z.infer<typeof taskStateSchema>;

export const TERMINAL_TASK_STATES: readonly TaskState[] = ['COMPLETED', 'CANCELLED'];

/**
 * The only legal moves. Everything that changes a task's state goes through
 * `assertTransition`, so this table is the single source of truth.
 */
export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  CREATED: ['QUEUED', 'CANCELLED'],
  QUEUED: ['SCHEDULED', 'PAUSED', 'CANCELLED'],
  // Back to QUEUED when the dispatch could not be delivered or the worker
  // gave the task back before starting it.
  SCHEDULED: ['RUNNING', 'QUEUED', 'RETRYING', 'PAUSED', 'FAILED', 'CANCELLED'],
  RUNNING: ['COMPLETED', 'FAILED', 'RETRYING', 'PAUSED', 'CANCELLED'],
  PAUSED: ['QUEUED', 'CANCELLED'],
  RETRYING: ['QUEUED', 'PAUSED', 'FAILED', 'CANCELLED'],
  // A failed task can be retried by hand.
  FAILED: ['QUEUED'],
  COMPLETED: [],
  CANCELLED: [],
};

export function isLegalTransition(from: TaskState, to: TaskState): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly taskId: string,
    readonly from: TaskState,
    readonly to: TaskState,
  ) {
    const allowed = TASK_TRANSITIONS[from];
    super(
      `task ${taskId} cannot move from ${from} to ${to}` +
        (allowed.length ? ` (allowed from ${from}: ${allowed.join(', ')})` : ` (${from} is final)`),
    );
    this.name = 'IllegalTransitionError';
  }
}

export function assertTransition(taskId: string, from: TaskState, to: TaskState): void {
  if (!isLegalTransition(from, to)) throw new IllegalTransitionError(taskId, from, to);
}
