import { readFileSync } from 'node:fs';
import type { RedisSecurityOptions } from '@autocode/runtime';
import Redis, { type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]`; `rediss://` for TLS. */
  url: string;
  /** `host:port,host:port`; when set, the current master is found through Sentinel. */
  sentinels?: string;
  sentinelMaster?: string;
  /** Every key this service writes starts with it; lets test runs share one Redis. */
  keyPrefix: string;
  /** AUTH/ACL credentials and TLS beyond what the URL says (see redisSecurityOf). */
  security?: RedisSecurityOptions;
}

/**
 * The service's Redis connection. Repositories build keys through `key()`
 * (never by hand) so the prefix is applied everywhere, including inside Lua.
 */
export class RedisConnection {
  readonly client: Redis;
  private lastError?: Error;

  constructor(readonly options: RedisConnectionOptions) {
    this.client = createClient(options);
    // ioredis reconnects by itself; without a listener an outage would be an
    // unhandled 'error' event. The last one is kept for readiness to explain.
    this.client.on('error', (error: Error) => (this.lastError = error));
    this.client.on('ready', () => (this.lastError = undefined));
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

  /** Why the connection is not usable, in words an operator can act on (never with a secret). */
  explain(error: Error): Error {
    const cause = this.lastError && /WRONGPASS|NOAUTH|NOPERM/.test(this.lastError.message) ? this.lastError : error;
    if (!/WRONGPASS|NOAUTH|NOPERM/.test(cause.message)) return error;
    const user = connectionOptions(this.options).username || 'default';
    const explained = new Error(`Redis refused the credentials of user "${user}" (REDIS_URL / REDIS_USERNAME / REDIS_PASSWORD): ${cause.message}`);
    explained.name = 'RedisAuthenticationError';
    return explained;
  }

  async close(): Promise<void> {
    if (this.client.status === 'end') return;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/**
 * Endpoint, credentials and TLS from the URL, with the explicit settings
 * taking precedence (ioredis would let the URL win).
 */
function connectionOptions(options: RedisConnectionOptions): RedisOptions {
  const url = new URL(options.url);
  const security = options.security ?? {};
  const tls = security.tls ?? (url.protocol === 'rediss:' ? {} : undefined);
  const db = Number(url.pathname.replace(/^\//, '') || 0);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 6379),
    db: Number.isInteger(db) ? db : 0,
    username: security.username ?? (url.username ? decodeURIComponent(url.username) : undefined),
    password: security.password ?? (url.password ? decodeURIComponent(url.password) : undefined),
    ...(tls ? { tls: tls.caFile ? { ca: [readFileSync(tls.caFile, 'utf8')] } : {} } : {}),
  };
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
  const endpoint = connectionOptions(options);
  if (options.sentinels) {
    const sentinels = options.sentinels.split(',').map((entry) => {
      const [host, port] = entry.trim().split(':');
      return { host, port: Number(port) };
    });
    const { username, password, tls } = endpoint;
    return new Redis({
      ...common,
      sentinels,
      name: options.sentinelMaster ?? 'autocode',
      username,
      password,
      sentinelUsername: options.security?.sentinelUsername,
      sentinelPassword: options.security?.sentinelPassword,
      ...(tls ? { tls, enableTLSForSentinelMode: true } : {}),
    });
  }
  return new Redis({ ...common, ...endpoint });
}
