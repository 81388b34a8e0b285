import Redis, { type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  /** `host:port,host:port`; when set, the current master is found through Sentinel. */
  sentinels?: string;
  sentinelMaster?: string;
  /** Every key this service writes starts with it; lets test runs share one Redis. */
  keyPrefix: string;
}

/**
 * The service's Redis connection. Repositories build keys through `key()`
 * (never by hand) so the prefix is applied everywhere, including inside Lua.
 */
export class RedisConnection {
  readonly client: Redis;

  constructor(readonly options: RedisConnectionOptions) {
    this.client = createClient(options);
    // ioredis reconnects by itself; without a listener an outage would be an unhandled 'error' event.
    this.client.on('error', () => undefined);
  }

  key(...parts: Array<string | number>): string {
    return this.options.keyPrefix + parts.join(':');
  }

  /** A second connection, for blocking commands or subscriptions. */
  duplicate(): Redis {
    const client = createClient(this.options);
    client.on('error', () => undefined);
    return client;
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

function createClient(options: RedisConnectionOptions): Redis {
  const common: RedisOptions = {
    connectTimeout: 2000,
    // Fail commands quickly during an outage instead of queueing forever;
    // callers see the error and retry at their own level.
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
    lazyConnect: false,
  };
  if (options.sentinels) {
    const sentinels = options.sentinels.split(',').map((entry) => {
      const [host, port] = entry.trim().split(':');
      return { host, port: Number(port) };
    });
    return new Redis({ ...common, sentinels, name: options.sentinelMaster ?? 'autocode' });
  }
  return new Redis(options.url, common);
}
