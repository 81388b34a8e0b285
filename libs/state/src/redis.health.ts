import { Injectable } from '@nestjs/common';
import type { HealthCheckResult, HealthIndicator } from '@autocode/runtime';
import { RedisConnection } from './redis-connection';

@Injectable()
export class RedisHealthIndicator implements HealthIndicator {
  readonly name = 'redis';
  readonly critical = true;

  constructor(private readonly redis: RedisConnection) {}

  async check(): Promise<HealthCheckResult> {
    const started = performance.now();
    let pong: string;
    let replication: string;
    try {
      pong = await this.redis.client.ping();
      replication = await this.redis.client.info('replication');
    } catch (error) {
      throw this.redis.explain(error as Error);
    }
    const role = /role:(\w+)/.exec(replication)?.[1];
    const replicas = Number(/connected_slaves:(\d+)/.exec(replication)?.[1] ?? 0);
    return {
      status: pong === 'PONG' ? 'up' : 'down',
      details: { role, replicas, rttMs: Math.round((performance.now() - started) * 10) / 10 },
    };
  }
}
