import { backoffDelayMs, MAX_TASK_ATTEMPTS, type ErrorInfo } from '@autocode/contracts';
import type { TransitionStep } from './task-transitions';
import type { TaskRecord } from './task.model';

const ATTEMPT_LIMIT_REASON = `attempt limit of ${MAX_TASK_ATTEMPTS} reached`;

/** True when the task is on its last possible attempt: ending this execution can only fail it. */
export function attemptsExhausted(task: Pick<TaskRecord, 'attempt'>): boolean {
  return task.attempt >= MAX_TASK_ATTEMPTS;
}

/**
 * A worker gave the task back without running it: back to the queue (as a
 * new attempt), unless no attempt number is left, in which case it fails.
 */
export function decideAfterReturn(task: TaskRecord, why: string, context: { actor: string; source: string }): FailureDecision {
  if (attemptsExhausted(task)) {
    const error = { message: `${why} (${ATTEMPT_LIMIT_REASON})`, retryable: false };
    return { step: { to: 'FAILED', actor: context.actor, source: context.source, reason: error.message }, changes: { error, retryAt: null } };
  }
  return { step: { to: 'QUEUED', actor: context.actor, source: context.source, reason: why }, changes: {} };
}

export interface FailureDecision {
  step: TransitionStep;
  changes: Partial<TaskRecord>;
}

/**
 * After a failed execution: another attempt after an exponential, jittered
 * backoff while retries remain and the error is retryable; FAILED otherwise.
 */
export function decideAfterFailure(
  task: TaskRecord,
  error: ErrorInfo,
  context: { actor: string; source: string; now: Date; random?: () => number },
): FailureDecision {
  const failures = task.failures + 1;
  if (attemptsExhausted(task)) {
    return { step: { to: 'FAILED', actor: context.actor, source: context.source, reason: `${error.message} (${ATTEMPT_LIMIT_REASON})` }, changes: { error, retryAt: null } };
  }
  if (error.retryable && failures <= task.retry.maxRetries) {
    const delay = backoffDelayMs(task.retry, failures, context.random);
    const retryAt = new Date(context.now.getTime() + delay).toISOString();
    return {
      step: { to: 'RETRYING', actor: context.actor, source: context.source, reason: `${error.message} (retry ${failures} of ${task.retry.maxRetries} in ${delay} ms)` },
      changes: { error, retryAt },
    };
  }
  const why = error.retryable ? `${error.message} (no retries left after ${failures} failure(s))` : `${error.message} (not retryable)`;
  return { step: { to: 'FAILED', actor: context.actor, source: context.source, reason: why }, changes: { error, retryAt: null } };
}
