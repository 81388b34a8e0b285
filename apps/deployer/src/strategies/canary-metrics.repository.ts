import { Injectable } from '@nestjs/common';
import { InfluxClient } from '@autocode/metrics';
import { BreakerRegistry, type CircuitBreaker } from '@autocode/resilience';
import type { CanaryConfig } from '../environments/environment-config';
import type { CanaryMeasurement } from './canary-gate';

/**
 * Reads what a canary did from InfluxDB: the deployed service writes one
 * point per request to the gate's measurement, tagged `environment` and
 * `revision`, with a 0/1 error field and a latency field in milliseconds.
 */
@Injectable()
export class CanaryMetricsRepository {
  private readonly query: CircuitBreaker<[string], Array<Record<string, unknown>>>;

  constructor(influx: InfluxClient, breakers: BreakerRegistry) {
    this.query = breakers.create('influxdb-canary-query', (q: string) => influx.query<Record<string, unknown>>(q), { timeoutMs: 10_000 });
  }

  async measure(gate: CanaryConfig['gate'], environment: string, revision: string, sinceMs: number): Promise<CanaryMeasurement> {
    const q =
      `SELECT count(${ident(gate.errorField)}) AS requests, sum(${ident(gate.errorField)}) AS errors, percentile(${ident(gate.latencyField)}, 95) AS p95 ` +
      `FROM ${ident(gate.measurement)} WHERE "environment" = ${literal(environment)} AND "revision" = ${literal(revision)} AND time >= ${Math.floor(sinceMs)}ms`;
    const [row] = await this.query.fire(q);
    if (!row) return { requests: 0, errors: 0, latencyP95Ms: null };
    return { requests: Number(row.requests ?? 0), errors: Number(row.errors ?? 0), latencyP95Ms: row.p95 === null || row.p95 === undefined ? null : Number(row.p95) };
  }
}

function ident(name: string): string {
  return `"${name.replace(/["\\]/g, '\\$&')}"`;
}

function literal(value: string): string {
  return `'${value.replace(/['\\]/g, '\\$&')}'`;
}
