import { z } from 'zod';

/**
 * How a failed attempt is retried: exponential backoff with full jitter,
 * delay = random(0, min(maxDelay, initialDelay * factor^(failures-1))).
 */
export const retryPolicySchema = z.strictObject({
  maxRetries: z.number().int().min(0).max(100),
  initialDelayMs: z.number().int().min(0).max(24 * 3600_000),
  factor: z.number().min(1).max(10),
  maxDelayMs: z.number().int().min(0).max(24 * 3600_000),
  jitter: z.boolean(),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  initialDelayMs: 1000,
  factor: 2,
  maxDelayMs: 5 * 60_000,
  jitter: true,
};

/** The upper bound of the delay before retry number `failures` (1-based); jitter picks below it. */
export function backoffCeilingMs(policy: RetryPolicy, failures: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, failures - 1));
}

export function backoffDelayMs(policy: RetryPolicy, failures: number, random: () => number = Math.random): number {
  const ceiling = backoffCeilingMs(policy, failures);
  return policy.jitter ? Math.floor(random() * ceiling) : ceiling;
}
