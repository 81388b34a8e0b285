/** Aggregates of one operation of the target application over a time window (from InfluxDB). */
export interface OperationWindow {
  operation: string;
  /** The source file the application tags the operation with, when it does. */
  file?: string;
  requests: number;
  errors: number;
  p95Ms: number | null;
}

export interface RegressionThresholds {
  /** An error rate at or above this (0..1) in the recent window is a finding. */
  errorRate: number;
  /** p95 latency this many times the baseline's or more is a finding. */
  latencyFactor: number;
  /** Windows with fewer requests say nothing. */
  minRequests: number;
}

export interface Regression {
  operation: string;
  file?: string;
  signal: 'error-rate' | 'latency';
  summary: string;
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * Compares the recent window of each operation with its baseline: an error
 * rate over the threshold (and worse than the baseline's), or a p95
 * latency grown by the factor, is a regression.
 */
export function detectRegressions(recent: OperationWindow[], baseline: OperationWindow[], thresholds: RegressionThresholds): Regression[] {
  const key = (w: OperationWindow) => `${w.operation}\u0000${w.file ?? ''}`;
  const before = new Map(baseline.map((w) => [key(w), w]));
  const found: Regression[] = [];
  for (const now of recent) {
    if (now.requests < thresholds.minRequests) continue;
    const then = before.get(key(now));
    const rate = now.errors / now.requests;
    const thenRate = then && then.requests > 0 ? then.errors / then.requests : 0;
    if (rate >= thresholds.errorRate && rate > thenRate) {
      found.push({
        operation: now.operation,
        file: now.file,
        signal: 'error-rate',
        summary: `error rate ${percent(rate)} over ${now.requests} requests (baseline ${then ? percent(thenRate) : 'none'}; threshold ${percent(thresholds.errorRate)})`,
      });
    }
    if (then && then.requests >= thresholds.minRequests && now.p95Ms !== null && then.p95Ms && now.p95Ms >= thresholds.latencyFactor * then.p95Ms) {
      found.push({
        operation: now.operation,
        file: now.file,
        signal: 'latency',
        summary: `p95 latency ${now.p95Ms.toFixed(0)} ms, ${(now.p95Ms / then.p95Ms).toFixed(1)}× the baseline's ${then.p95Ms.toFixed(0)} ms`,
      });
    }
  }
  return found.sort((a, b) => a.operation.localeCompare(b.operation) || a.signal.localeCompare(b.signal));
}
