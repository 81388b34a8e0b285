import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@autocode/state';
import type { TriggerRecord, TriggerStatus } from './trigger.model';

const RETENTION_SECONDS = 30 * 24 * 3600;

/** Triggers are hashes; the tasks they produced are a set beside them, so updates never read-modify-write. */
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
    const { taskIds: _taskIds, ...fields } = trigger;
    const encoded = Object.entries(fields).flatMap(([k, v]) => [k, v === null ? '' : String(v)]);
    await this.redis.client
      .multi()
      .hset(this.key(trigger.id), ...encoded)
      .expire(this.key(trigger.id), RETENTION_SECONDS)
      .zadd(this.redis.key('triggers', 'by-received'), Date.parse(trigger.receivedAt), trigger.id)
      .exec();
  }

  async get(triggerId: string): Promise<TriggerRecord | null> {
    const [hash, taskIds] = await Promise.all([
      this.redis.client.hgetall(this.key(triggerId)),
      this.redis.client.smembers(this.tasksKey(triggerId)),
    ]);
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
      taskIds: taskIds.sort(),
      error: hash.error || null,
    };
  }

  async recordOutcome(triggerId: string, status: TriggerStatus, taskIds: string[], error?: string): Promise<void> {
    const multi = this.redis.client.multi().hset(this.key(triggerId), 'status', status, 'error', error ?? '');
    if (taskIds.length) multi.sadd(this.tasksKey(triggerId), ...taskIds).expire(this.tasksKey(triggerId), RETENTION_SECONDS);
    await multi.exec();
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

  private tasksKey(triggerId: string): string {
    return this.redis.key('trigger', triggerId, 'tasks');
  }
}
