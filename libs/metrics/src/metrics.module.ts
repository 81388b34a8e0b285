import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { BreakerRegistry } from '@autocode/resilience';
import { HealthRegistry, ServiceIdentity, type HealthCheckResult, type HealthIndicator } from '@autocode/runtime';
import { InfluxClient, type InfluxConnectionOptions, type MetricPoint } from './influx.client';
import { MetricsWriter } from './metrics-writer';

export interface MetricsModuleOptions extends InfluxConnectionOptions {
  flushIntervalMs: number;
}

const METRICS_OPTIONS = Symbol('MetricsModuleOptions');

@Injectable()
export class InfluxHealthIndicator implements HealthIndicator {
  readonly name = 'influxdb';
  readonly critical = true;

  constructor(
    private readonly client: InfluxClient,
    private readonly writer: MetricsWriter,
  ) {}

  async check(): Promise<HealthCheckResult> {
    const ping = await this.client.ping();
    const details = { version: ping.version, rttMs: ping.rttMs, buffered: this.writer.pending, dropped: this.writer.droppedPoints };
    return ping.online ? { status: 'up', details } : { status: 'down', details, error: 'ping failed' };
  }
}

/** Creates the database, starts the flush timer and reports breaker states every interval. */
@Injectable()
class MetricsLifecycle implements OnModuleInit, OnApplicationShutdown {
  private breakerTimer?: NodeJS.Timeout;

  constructor(
    private readonly client: InfluxClient,
    private readonly writer: MetricsWriter,
    private readonly breakers: BreakerRegistry,
    private readonly health: HealthRegistry,
    private readonly indicator: InfluxHealthIndicator,
    @Inject(METRICS_OPTIONS) private readonly options: MetricsModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    this.health.register(this.indicator);
    // InfluxDB may still be starting; the writer buffers until it answers.
    await this.client.ensureDatabase().catch(() => this.retryEnsureDatabase());
    this.writer.start();
    this.breakerTimer = setInterval(() => this.reportBreakers(), this.options.flushIntervalMs);
    this.breakerTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.breakerTimer);
    this.reportBreakers();
    await this.writer.stop();
  }

  private retryEnsureDatabase(): void {
    const timer = setInterval(() => {
      this.client.ensureDatabase().then(
        () => clearInterval(timer),
        () => undefined,
      );
    }, 2000);
    timer.unref();
  }

  private reportBreakers(): void {
    const code = { closed: 0, 'half-open': 1, open: 2 } as const;
    for (const b of this.breakers.snapshot()) {
      this.writer.record(
        'breaker_state',
        { state: code[b.state], fires: b.stats.fires, failures: b.stats.failures, rejects: b.stats.rejects },
        { breaker: b.name, state_name: b.state },
      );
    }
  }
}

@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions): DynamicModule {
    return {
      module: MetricsModule,
      providers: [
        { provide: METRICS_OPTIONS, useValue: options },
        { provide: InfluxClient, useFactory: () => new InfluxClient(options) },
        {
          provide: MetricsWriter,
          inject: [InfluxClient, BreakerRegistry, ServiceIdentity],
          useFactory: (client: InfluxClient, breakers: BreakerRegistry, identity: ServiceIdentity) =>
            new MetricsWriter(
              breakers.create('influxdb-write', (points: MetricPoint[]) => client.write(points), { timeoutMs: 5000 }),
              { service: identity.service, instanceId: identity.instanceId, flushIntervalMs: options.flushIntervalMs },
            ),
        },
        InfluxHealthIndicator,
        MetricsLifecycle,
      ],
      exports: [MetricsWriter, InfluxClient],
    };
  }
}
