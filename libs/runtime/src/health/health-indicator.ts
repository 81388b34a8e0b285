/** `degraded`: working, but short of what it should be (e.g. a sandbox without OS isolation); counts as not up. */
export type HealthStatus = 'up' | 'degraded' | 'down';

export interface HealthCheckResult {
  status: HealthStatus;
  details?: Record<string, unknown>;
  error?: string;
}

/** One dependency a service reports on (Kafka, Redis, InfluxDB, a breaker …). */
export interface HealthIndicator {
  readonly name: string;
  /** A non-critical part that is down is reported but leaves the service ready. */
  readonly critical: boolean;
  check(): Promise<HealthCheckResult>;
}

export interface ComponentHealth extends HealthCheckResult {
  name: string;
  critical: boolean;
  latencyMs: number;
}

export interface ReadinessReport {
  status: 'ready' | 'unready';
  started: boolean;
  components: ComponentHealth[];
}
