import type { CanaryConfig } from '../environments/environment-config';

export interface CanaryMeasurement {
  requests: number;
  errors: number;
  latencyP95Ms: number | null;
}

export interface GateReading {
  /** `watching`: within limits so far, but the step is not over (or too few requests yet). */
  verdict: 'passed' | 'failed' | 'watching';
  errorRate: number | null;
  reason?: string;
}

/**
 * Reads one canary step's metrics against its gate. A breach aborts at once
 * (once enough requests were seen to mean something); passing needs the
 * step's whole observation time and at least `minRequests` requests.
 */
export function readGate(measurement: CanaryMeasurement, gate: CanaryConfig['gate'], stepOver: boolean): GateReading {
  const errorRate = measurement.requests > 0 ? measurement.errors / measurement.requests : null;
  const enough = measurement.requests >= Math.max(1, gate.minRequests);
  if (enough && errorRate !== null && errorRate > gate.errorRateMax) {
    return { verdict: 'failed', errorRate, reason: `error rate ${percent(errorRate)} over ${measurement.requests} requests exceeds ${percent(gate.errorRateMax)}` };
  }
  if (enough && gate.latencyP95MsMax !== undefined && measurement.latencyP95Ms !== null && measurement.latencyP95Ms > gate.latencyP95MsMax) {
    return { verdict: 'failed', errorRate, reason: `p95 latency ${Math.round(measurement.latencyP95Ms)} ms exceeds ${gate.latencyP95MsMax} ms` };
  }
  if (!stepOver) return { verdict: 'watching', errorRate };
  if (measurement.requests < gate.minRequests) {
    return { verdict: 'failed', errorRate, reason: `only ${measurement.requests} requests observed (the gate needs ${gate.minRequests})` };
  }
  return { verdict: 'passed', errorRate };
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate < 0.1 ? 2 : 1)} %`;
}
