import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@autocode/state';
import type { TriggerRecord, TriggerStatus } from './trigger.model';

const RETENTION_SECONDS = 30 * 24 * 3600;

/** Triggers are small hashes, updated field by field. */
@Injectable()
export class TriggerRepository {
  constructor(private readonly redis: RedisConnection) {}

  /**
   * Claims a de-duplication key for a trigger id. Returns the id that holds
   * the key: ours when the claim succeeded, an earlier one otherwise.
   */
  async claim(kind: 'message' | 'key', key: string, triggerId: string, ttlSeconds: number): Promise<string> {
    const redisKey = this.redis.key('trigger', 'dedupe', kind, key);
    const claimed = await this.redis.client.set(redisKey, triggerId, 'EX', ttlSeconds, 'NX');
    if (claimed === 'OK') return triggerId;
    return (await this.redis.client.get(redisKey)) ?? triggerId;
  }

  /** Gives a claim back, so a retry of a trigger that could not be handed on is not mistaken for a duplicate. */
  async release(kind: 'message' | 'key', key: string, triggerId: string): Promise<void> {
    const redisKey = this.redis.key('trigger', 'dedupe', kind, key);
    await this.redis.client.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
      1,
      redisKey,
      triggerId,
    );
  }

  async save(trigger: TriggerRecord): Promise<void> {
    const encoded = Object.entries(trigger).flatMap(([k, v]) => [k, v === null ? '' : String(v)]);
    await this.redis.client
      .multi()
      .hset(this.key(trigger.id), ...encoded)
      .expire(this.key(trigger.id), RETENTION_SECONDS)
      .zadd(this.redis.key('triggers', 'by-received'), Date.parse(trigger.receivedAt), trigger.id)
      .exec();
  }

  async get(triggerId: string): Promise<TriggerRecord | null> {
    const hash = await this.redis.client.hgetall(this.key(triggerId));
    if (!hash.id) return null;
    return {
      id: hash.id,
      source: hash.source as TriggerRecord['source'],
      reason: hash.reason,
      requestedBy: hash.requestedBy,
      repository: hash.repository,
      ref: hash.ref,
      lookbackHours: Number(hash.lookbackHours),
      dedupeKey: hash.dedupeKey || null,
      receivedAt: hash.receivedAt,
      status: hash.status as TriggerStatus,
      runId: hash.runId || null,
      error: hash.error || null,
    };
  }

  async recordOutcome(triggerId: string, status: TriggerStatus, runId: string | null, error?: string): Promise<void> {
    await this.redis.client.hset(this.key(triggerId), 'status', status, 'runId', runId ?? '', 'error', error ?? '');
  }

  async listIds(offset: number, limit: number): Promise<{ ids: string[]; total: number }> {
    const key = this.redis.key('triggers', 'by-received');
    const [ids, total] = await Promise.all([
      this.redis.client.zrevrange(key, offset, offset + limit - 1),
      this.redis.client.zcard(key),
    ]);
    return { ids, total };
  }

  private key(triggerId: string): string {
    return this.redis.key('trigger', triggerId);
  }

}
