import { readGate } from './canary-gate';

const gate = { measurement: 'http_requests', errorField: 'error', latencyField: 'duration_ms', errorRateMax: 0.05, latencyP95MsMax: 300, minRequests: 10 };

describe('canary gate', () => {
  it('trips as soon as the error rate is over the limit with enough requests', () => {
    expect(readGate({ requests: 20, errors: 5, latencyP95Ms: 50 }, gate, false)).toEqual({
      verdict: 'failed',
      errorRate: 0.25,
      reason: 'error rate 25.0 % over 20 requests exceeds 5.00 %',
    });
  });

  it('does not judge a handful of requests', () => {
    expect(readGate({ requests: 3, errors: 3, latencyP95Ms: 50 }, gate, false).verdict).toBe('watching');
  });

  it('trips on p95 latency', () => {
    expect(readGate({ requests: 50, errors: 0, latencyP95Ms: 900 }, gate, false)).toMatchObject({ verdict: 'failed', reason: 'p95 latency 900 ms exceeds 300 ms' });
  });

  it('passes only when the step is over, within limits and with enough traffic', () => {
    expect(readGate({ requests: 50, errors: 1, latencyP95Ms: 120 }, gate, false).verdict).toBe('watching');
    expect(readGate({ requests: 50, errors: 1, latencyP95Ms: 120 }, gate, true)).toEqual({ verdict: 'passed', errorRate: 0.02 });
    expect(readGate({ requests: 4, errors: 0, latencyP95Ms: 120 }, gate, true)).toMatchObject({ verdict: 'failed', reason: 'only 4 requests observed (the gate needs 10)' });
  });

  it('with min_requests 0, no traffic passes', () => {
    expect(readGate({ requests: 0, errors: 0, latencyP95Ms: null }, { ...gate, minRequests: 0 }, true)).toEqual({ verdict: 'passed', errorRate: null });
  });
});
