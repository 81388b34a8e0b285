import { BreakerOpenError, CircuitBreaker, type BreakerState } from '../src/circuit-breaker';

describe('CircuitBreaker', () => {
  it('opens after repeated failures, rejects fast while open, and closes after a good trial call', async () => {
    let healthy = false;
    const states: BreakerState[] = [];
    const breaker = new CircuitBreaker(
      'flaky',
      async () => {
        if (!healthy) throw new Error('down');
        return 'ok';
      },
      { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 100, timeoutMs: 1000 },
    );
    breaker.onStateChange((s) => states.push(s));

    for (let i = 0; i < 3; i += 1) await expect(breaker.fire()).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    await expect(breaker.fire()).rejects.toThrow(BreakerOpenError);

    healthy = true;
    await new Promise((r) => setTimeout(r, 150));
    expect(breaker.state).toBe('half-open');
    await expect(breaker.fire()).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
    breaker.shutdown();
  });

  it('does not count client errors against the dependency', async () => {
    const breaker = new CircuitBreaker(
      'client-errors',
      async () => {
        throw Object.assign(new Error('bad request'), { status: 400 });
      },
      { volumeThreshold: 2, isClientError: (e) => (e as { status?: number }).status === 400 },
    );
    for (let i = 0; i < 5; i += 1) await expect(breaker.fire()).rejects.toThrow('bad request');
    expect(breaker.state).toBe('closed');
    breaker.shutdown();
  });

  it('counts a call slower than the timeout as a failure', async () => {
    const breaker = new CircuitBreaker('slow', () => new Promise((r) => setTimeout(r, 200)), { timeoutMs: 20, volumeThreshold: 1 });
    await expect(breaker.fire()).rejects.toThrow(/Timed out/);
    expect(breaker.stats.timeouts).toBe(1);
    breaker.shutdown();
  });
});
