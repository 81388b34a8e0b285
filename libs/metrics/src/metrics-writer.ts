import { Logger } from '@nestjs/common';
import type { CircuitBreaker } from '@autocode/resilience';
import type { MetricPoint } from './influx.client';

export interface MetricsWriterOptions {
  service: string;
  instanceId: string;
  flushIntervalMs: number;
  /** Flush early once this many points are waiting. */
  batchSize?: number;
  /** Oldest points are dropped beyond this, so an InfluxDB outage cannot exhaust memory. */
  maxBuffered?: number;
}

/**
 * Buffers points and writes them in batches: metrics must never slow down
 * or break the work they describe. Writes go through a circuit breaker; an
 * outage keeps points buffered (bounded) until InfluxDB is back.
 */
export class MetricsWriter {
  private readonly logger = new Logger(MetricsWriter.name);
  private buffer: MetricPoint[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private dropped = 0;
  private lastTimestampNs = 0n;
  private counters = new Map<string, { measurement: string; tags: Record<string, string>; count: number }>();
  private readonly batchSize: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly breaker: CircuitBreaker<[MetricPoint[]], void>,
    private readonly options: MetricsWriterOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxBuffered = options.maxBuffered ?? 20_000;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Records one point, tagged with this service and instance. */
  record(measurement: string, fields: MetricPoint['fields'], tags: Record<string, string> = {}): void {
    this.buffer.push({
      measurement,
      fields,
      tags: { service: this.options.service, instance: this.options.instanceId, ...tags },
      timestampNs: this.nextTimestampNs(),
    });
    if (this.buffer.length > this.maxBuffered) {
      const excess = this.buffer.length - this.maxBuffered;
      this.buffer.splice(0, excess);
      this.dropped += excess;
    }
    if (this.buffer.length >= this.batchSize) void this.flush();
  }

  /**
   * Counts an event; counts are summed in memory and written as one point
   * per tag set per flush interval (for events too frequent for a point each).
   */
  increment(measurement: string, tags: Record<string, string> = {}, by = 1): void {
    const key = `${measurement}|${Object.entries(tags).sort().map(([k, v]) => `${k}=${v}`).join(',')}`;
    const counter = this.counters.get(key);
    if (counter) counter.count += by;
    else this.counters.set(key, { measurement, tags, count: by });
  }

  /**
   * InfluxDB keeps one point per series and timestamp: two events of the
   * same kind in the same millisecond would overwrite each other. Strictly
   * increasing nanosecond timestamps keep every point.
   */
  private nextTimestampNs(): string {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.lastTimestampNs = now > this.lastTimestampNs ? now : this.lastTimestampNs + 1n;
    return this.lastTimestampNs.toString();
  }

  get pending(): number {
    return this.buffer.length;
  }

  get droppedPoints(): number {
    return this.dropped;
  }

  /** Writes what is buffered; concurrent calls share one write. */
  async flush(): Promise<void> {
    if (this.counters.size > 0) {
      const counters = this.counters;
      this.counters = new Map();
      for (const { measurement, tags, count } of counters.values()) this.record(measurement, { count }, tags);
    }
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.breaker
      .fire(batch)
      .catch((error: Error) => {
        // Put the batch back in front so order is kept for the retry.
        this.buffer = batch.concat(this.buffer).slice(-this.maxBuffered);
        this.logger.warn({ msg: 'metrics write failed; will retry', points: batch.length, err: error.message });
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
