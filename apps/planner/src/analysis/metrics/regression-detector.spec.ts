import { detectRegressions } from './regression-detector';

const thresholds = { errorRate: 0.05, latencyFactor: 1.5, minRequests: 20 };

describe('detectRegressions', () => {
  it('flags an error rate over the threshold and worse than the baseline, and a p95 that grew by the factor', () => {
    const found = detectRegressions(
      [
        { operation: 'checkout', file: 'src/checkout.js', requests: 100, errors: 12, p95Ms: 90 },
        { operation: 'search', requests: 50, errors: 0, p95Ms: 400 },
        { operation: 'steady', requests: 50, errors: 10, p95Ms: 100 },
        { operation: 'quiet', requests: 5, errors: 5, p95Ms: 1000 },
      ],
      [
        { operation: 'checkout', file: 'src/checkout.js', requests: 1000, errors: 10, p95Ms: 80 },
        { operation: 'search', requests: 500, errors: 0, p95Ms: 200 },
        { operation: 'steady', requests: 500, errors: 100, p95Ms: 100 },
      ],
      thresholds,
    );
    expect(found.map((r) => [r.operation, r.signal])).toEqual([
      ['checkout', 'error-rate'],
      ['search', 'latency'],
    ]);
    expect(found[0].summary).toMatch(/error rate 12\.0% over 100 requests \(baseline 1\.0%/);
    expect(found[1].summary).toMatch(/2\.0× the baseline/);
  });
});
