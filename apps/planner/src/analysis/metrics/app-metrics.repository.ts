import { Inject, Injectable } from '@nestjs/common';
import { InfluxClient } from '@autocode/metrics';
import { BreakerRegistry, type CircuitBreaker } from '@autocode/resilience';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { PlannerConfig } from '../../config/planner.config';
import type { OperationWindow } from './regression-detector';

type Row = { operation?: string; file?: string; requests?: number; errors?: number; p95?: number | null };

/**
 * Reads the target application's request metrics from InfluxDB, through a
 * circuit breaker: an outage makes the metrics analysis fail fast (and be
 * reported as failed) instead of stalling every plan.
 */
@Injectable()
export class AppMetricsRepository {
  private readonly breaker: CircuitBreaker<[string], Row[]>;

  constructor(
    influx: InfluxClient,
    breakers: BreakerRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: PlannerConfig,
  ) {
    this.breaker = breakers.create('influxdb-app-metrics', (query: string) => influx.query<Row>(query), { timeoutMs: 10_000 });
  }

  /** The measurement, qualified with its database when that is not the mesh's own. */
  get source(): string {
    const measurement = `"${this.config.PLANNER_APP_METRICS_MEASUREMENT}"`;
    const database = this.config.PLANNER_APP_METRICS_DATABASE;
    return database ? `"${database}"..${measurement}` : measurement;
  }

  /** Per operation (and file): the recent window, and the baseline before it. */
  async windows(): Promise<{ recent: OperationWindow[]; baseline: OperationWindow[] }> {
    const window = `${this.config.PLANNER_METRICS_WINDOW_MINUTES}m`;
    const baselineStart = `${this.config.PLANNER_METRICS_BASELINE_HOURS * 60 + this.config.PLANNER_METRICS_WINDOW_MINUTES}m`;
    const select = `SELECT count("duration_ms") AS requests, sum("error") AS errors, percentile("duration_ms", 95) AS p95 FROM ${this.source}`;
    const group = 'GROUP BY "operation", "file"';
    const [recent, baseline] = await Promise.all([
      this.breaker.fire(`${select} WHERE time > now() - ${window} ${group}`),
      this.breaker.fire(`${select} WHERE time > now() - ${baselineStart} AND time <= now() - ${window} ${group}`),
    ]);
    return { recent: recent.map(toWindow), baseline: baseline.map(toWindow) };
  }
}

function toWindow(row: Row): OperationWindow {
  return {
    operation: row.operation || '(untagged)',
    file: row.file || undefined,
    requests: Number(row.requests ?? 0),
    errors: Number(row.errors ?? 0),
    p95Ms: row.p95 === null || row.p95 === undefined ? null : Number(row.p95),
  };
}
