import { backoffDelayMs, type ErrorInfo } from '@autocode/contracts';
import type { TransitionStep } from './task-transitions';
import type { TaskRecord } from './task.model';

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
