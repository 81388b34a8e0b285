import { backoffCeilingMs, backoffDelayMs, type RetryPolicy } from './retry-policy';

const policy: RetryPolicy = { maxRetries: 5, initialDelayMs: 100, factor: 3, maxDelayMs: 2000, jitter: true };

describe('retry backoff', () => {
  it('grows exponentially per failure and stops at the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffCeilingMs(policy, n))).toEqual([100, 300, 900, 2000, 2000]);
  });

  it('draws a full-jitter delay below the ceiling, and the ceiling itself without jitter', () => {
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(450);
    expect(backoffDelayMs({ ...policy, jitter: false }, 3)).toBe(900);
    for (let i = 0; i < 100; i += 1) {
      const delay = backoffDelayMs(policy, 2);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(300);
    }
  });
});
