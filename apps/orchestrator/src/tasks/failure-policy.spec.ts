import { MAX_TASK_ATTEMPTS } from '@autocode/contracts';
import { attemptsExhausted, decideAfterFailure, decideAfterReturn } from './failure-policy';
import { UNSET_TASK_FIELDS, type TaskRecord } from './task.model';

const task = (attempt: number, failures = 0): TaskRecord => ({
  ...UNSET_TASK_FIELDS,
  id: 'tsk_policy0001',
  type: 'sleep',
  pool: 'generation',
  priority: 'MEDIUM',
  state: 'SCHEDULED',
  attempt,
  failures,
  retry: { maxRetries: 3, initialDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: false },
  timeLimitMs: 60_000,
  params: {},
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
});
const context = { actor: 'gen-a', source: 'test', now: new Date() };

describe('what follows a failed or returned execution', () => {
  it('retries a retryable failure while retries remain, then fails', () => {
    expect(decideAfterFailure(task(1), { message: 'boom', retryable: true }, context).step.to).toBe('RETRYING');
    expect(decideAfterFailure(task(4, 3), { message: 'boom', retryable: true }, context).step).toMatchObject({ to: 'FAILED', reason: 'boom (no retries left after 4 failure(s))' });
  });

  it('queues a returned task again as a new attempt', () => {
    expect(decideAfterReturn(task(7), 'no free slot', context).step).toMatchObject({ to: 'QUEUED', reason: 'no free slot' });
  });

  it('fails, instead of queueing or retrying, a task on the last attempt number there is', () => {
    const last = task(MAX_TASK_ATTEMPTS);
    expect(attemptsExhausted(last)).toBe(true);
    expect(attemptsExhausted(task(MAX_TASK_ATTEMPTS - 1))).toBe(false);
    expect(decideAfterReturn(last, 'no free slot', context)).toMatchObject({
      step: { to: 'FAILED', reason: `no free slot (attempt limit of ${MAX_TASK_ATTEMPTS} reached)` },
      changes: { error: { retryable: false } },
    });
    expect(decideAfterFailure(last, { message: 'boom', retryable: true }, context).step).toMatchObject({ to: 'FAILED', reason: `boom (attempt limit of ${MAX_TASK_ATTEMPTS} reached)` });
  });
});
