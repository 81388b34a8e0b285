import { z } from 'zod';
import { defineTaskHandler, NonRetryableTaskError } from '@autocode/worker';

const retry = { maxRetries: 3, initialDelayMs: 500, factor: 2, maxDelayMs: 30_000, jitter: true };

/** Does nothing and succeeds: measures the mesh's own overhead per task. */
export const noopTask = defineTaskHandler({
  name: 'noop',
  displayName: 'No-op',
  description: 'Does nothing and succeeds. For measuring the overhead of the task core.',
  category: 'diagnostic',
  params: z.strictObject({}).default({}),
  output: z.strictObject({ ok: z.literal(true) }),
  timeLimitSeconds: 60,
  retry,
  run: async () => ({ ok: true as const }),
});

const sleepParams = z.strictObject({
  /** Total work time. */
  ms: z.number().int().min(0).max(3600_000),
  /** The work is done in this many steps; each reports progress and a checkpoint. */
  steps: z.number().int().min(1).max(1000).default(10),
  /** Attempts up to this number fail (to exercise retries). */
  failAttempts: z.number().int().min(0).max(100).default(0),
  /** Whether those failures may be retried. */
  failRetryable: z.boolean().default(true),
});

/**
 * Works for a while in checkpointed steps, honouring stop orders, and can
 * be told to fail its first attempts. For exercising time limits, retries,
 * pause, cancel, worker loss and resumption from checkpoints.
 */
export const sleepTask = defineTaskHandler({
  name: 'sleep',
  displayName: 'Sleep in steps',
  description: 'Sleeps `ms` in `steps` checkpointed steps; fails attempts up to `failAttempts`.',
  category: 'diagnostic',
  params: sleepParams,
  output: z.strictObject({ steps: z.number(), resumedFromStep: z.number(), attempt: z.number() }),
  timeLimitSeconds: 600,
  retry,
  run: async (params, context) => {
    if (context.attempt <= params.failAttempts) {
      const message = `failing attempt ${context.attempt} of the first ${params.failAttempts} on purpose`;
      throw params.failRetryable ? new Error(message) : new NonRetryableTaskError(message);
    }
    const resumedFrom = typeof context.checkpoint === 'object' && context.checkpoint !== null && 'step' in context.checkpoint ? Number(context.checkpoint.step) : 0;
    const stepMs = params.ms / params.steps;
    for (let step = resumedFrom + 1; step <= params.steps; step += 1) {
      await sleep(stepMs, context.signal);
      await context.progress((step / params.steps) * 100, `step ${step} of ${params.steps}`, { step });
    }
    return { steps: params.steps, resumedFromStep: resumedFrom, attempt: context.attempt };
  },
});

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    const onAbort = () => (clearTimeout(timer), reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
