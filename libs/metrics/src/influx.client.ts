import { InfluxDB, type IPoint } from 'influx';

export interface InfluxConnectionOptions {
  url: string;
  database: string;
  username?: string;
  password?: string;
}

export interface MetricPoint {
  measurement: string;
  tags?: Record<string, string>;
  fields: Record<string, number | boolean | string>;
  /** Nanoseconds since the epoch, as a decimal string. */
  timestampNs: string;
}

/** The only code that talks to InfluxDB (1.x HTTP API through the `influx` package). */
export class InfluxClient {
  private readonly influx: InfluxDB;

  constructor(readonly options: InfluxConnectionOptions) {
    const url = new URL(options.url);
    this.influx = new InfluxDB({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      database: options.database,
      username: options.username,
      password: options.password,
    });
  }

  /** CREATE DATABASE is idempotent in InfluxDB 1.x. */
  async ensureDatabase(): Promise<void> {
    await this.influx.createDatabase(this.options.database);
  }

  async ping(timeoutMs = 1500): Promise<{ online: boolean; version?: string; rttMs?: number }> {
    const [host] = await this.influx.ping(timeoutMs);
    return { online: Boolean(host?.online), version: host?.version, rttMs: host?.rtt };
  }

  async write(points: MetricPoint[]): Promise<void> {
    const converted: IPoint[] = points.map((p) => ({
      measurement: p.measurement,
      tags: p.tags,
      fields: p.fields,
      timestamp: p.timestampNs,
    }));
    await this.influx.writePoints(converted, { precision: 'n' });
  }

  async query<T = Record<string, unknown>>(influxQl: string): Promise<T[]> {
    const rows = await this.influx.query<T>(influxQl);
    return [...rows];
  }
}
