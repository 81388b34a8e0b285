import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@autocode/state';
import type { Redis } from 'ioredis';
import type { ScheduleRecord } from './schedule.model';

/**
 * KEYS[1] schedule hash, KEYS[2] due set, KEYS[3] all set. ARGV: expected
 * version ('' = must not exist), record JSON, due score ('' = not due), id.
 * Returns the new version, or false when someone changed it meanwhile.
 */
const COMPARE_AND_SET = `
local version = redis.call('HGET', KEYS[1], 'version')
if ARGV[1] == '' then
  if version then return false end
elseif version ~= ARGV[1] then
  return false
end
local next = (tonumber(version) or 0) + 1
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'version', next)
if ARGV[3] == '' then redis.call('ZREM', KEYS[2], ARGV[4]) else redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) end
redis.call('SADD', KEYS[3], ARGV[4])
return next
`;

export interface VersionedSchedule {
  record: ScheduleRecord;
  version: number;
}

/** Schedules live in Redis, so they survive restarts and every orchestrator instance sees the same ones. */
type ScriptedRedis = Redis & {
  acScheduleCas(key: string, due: string, all: string, expected: string, record: string, score: string, id: string): Promise<number | null>;
};

@Injectable()
export class ScheduleRepository {
  private readonly client: ScriptedRedis;

  constructor(private readonly redis: RedisConnection) {
    const client: Redis = redis.client;
    // EVALSHA after the first call: the script text is not sent with every firing.
    if (!(client as unknown as Record<string, unknown>).acScheduleCas) client.defineCommand('acScheduleCas', { numberOfKeys: 3, lua: COMPARE_AND_SET });
    this.client = client as ScriptedRedis;
  }

  async get(id: string): Promise<VersionedSchedule | null> {
    const [record, version] = await this.redis.client.hmget(this.key(id), 'record', 'version');
    return record && version ? { record: JSON.parse(record) as ScheduleRecord, version: Number(version) } : null;
  }

  async getMany(ids: string[]): Promise<Array<VersionedSchedule | null>> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.client.pipeline();
    for (const id of ids) pipeline.hmget(this.key(id), 'record', 'version');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, value]) => {
      const [record, version] = value as [string | null, string | null];
      return record && version ? { record: JSON.parse(record) as ScheduleRecord, version: Number(version) } : null;
    });
  }

  async list(): Promise<ScheduleRecord[]> {
    const ids = await this.redis.client.smembers(this.allKey());
    return (await this.getMany(ids.sort())).filter((s): s is VersionedSchedule => s !== null).map((s) => s.record);
  }

  /** Writes `record` if the stored version is still `expectedVersion` (null: must be new). */
  async compareAndSet(record: ScheduleRecord, expectedVersion: number | null): Promise<number | null> {
    const due = record.enabled && record.nextRunAt ? String(Date.parse(record.nextRunAt)) : '';
    const result = await this.client.acScheduleCas(
      this.key(record.id),
      this.dueKey(),
      this.allKey(),
      expectedVersion === null ? '' : String(expectedVersion),
      JSON.stringify(record),
      due,
      record.id,
    );
    return result === null ? null : Number(result);
  }

  async compareAndSetMany(items: Array<{ record: ScheduleRecord; version: number }>): Promise<void> {
    if (items.length === 0) return;
    const pipeline = this.client.pipeline() as unknown as ScriptedRedis & { exec(): Promise<unknown> };
    for (const { record, version } of items) {
      const due = record.enabled && record.nextRunAt ? String(Date.parse(record.nextRunAt)) : '';
      void pipeline.acScheduleCas(this.key(record.id), this.dueKey(), this.allKey(), String(version), JSON.stringify(record), due, record.id);
    }
    await pipeline.exec();
  }

  async remove(id: string): Promise<boolean> {
    const [[, removed]] = (await this.redis.client.multi().del(this.key(id)).zrem(this.dueKey(), id).srem(this.allKey(), id).exec()) as Array<[unknown, number]>;
    return removed === 1;
  }

  async earliestDue(): Promise<number | null> {
    const [, score] = await this.redis.client.zrange(this.dueKey(), 0, 0, 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  async dueIds(nowMs: number, limit: number): Promise<string[]> {
    return this.redis.client.zrangebyscore(this.dueKey(), '-inf', nowMs, 'LIMIT', 0, limit);
  }

  /**
   * Claims the right to fire one due point of one schedule: exactly one
   * claimer wins, however many orchestrators look at it. The claim expires,
   * so a firing whose instance died is taken over; the action itself is
   * keyed by its slot (task idempotency key / trigger dedupe key), so a
   * taken-over firing does not run a slot twice.
   */
  async claimSlots(claims: Array<{ id: string; slotMs: number }>, owner: string, ttlMs: number): Promise<boolean[]> {
    if (claims.length === 0) return [];
    const pipeline = this.redis.client.pipeline();
    for (const { id, slotMs } of claims) pipeline.set(this.redis.key('schedule', id, 'slot', String(slotMs)), owner, 'PX', ttlMs, 'NX');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, value]) => value === 'OK');
  }

  private key(id: string): string {
    return this.redis.key('schedule', id);
  }
  private dueKey(): string {
    return this.redis.key('schedules', 'due');
  }
  private allKey(): string {
    return this.redis.key('schedules', 'all');
  }
}
