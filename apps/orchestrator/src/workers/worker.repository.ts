import { Injectable } from '@nestjs/common';
import { WORKER_POOLS, type WorkerHeartbeat, type WorkerPool } from '@autocode/contracts';
import { RedisConnection } from '@autocode/state';
import type { Redis } from 'ioredis';
import { TaskKeys } from '../tasks/task-keys';

/** A worker as the dispatcher sees it (read by the dispatch script too: keep the field names). */
export interface WorkerRecord {
  workerId: string;
  pool: WorkerPool;
  capacity: number;
  partitions: number[];
  /** Task types it runs: the dispatcher sends it nothing else. */
  types: string[];
  running: number;
  intervalMs: number;
  startedAt: string;
  lastSeen: number;
  /** Silent after this (epoch ms): its tasks are re-queued. */
  expiresAt: number;
}

/**
 * Records one heartbeat unless a later one of the same worker is already
 * recorded: a heartbeat read late (or replayed by someone who captured it)
 * never winds a worker's liveness back.
 * KEYS[1] the pool's workers hash, KEYS[2] the expiry set; ARGV workerId, record, lastSeen, expiresAt, expiry member.
 */
const RECORD_HEARTBEAT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and tonumber(cjson.decode(current).lastSeen) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
return 1
`;

type HeartbeatRedis = Redis & { acRecordHeartbeat(...args: string[]): Promise<number> };

@Injectable()
export class WorkerRepository {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: TaskKeys,
  ) {
    const client = redis.client as HeartbeatRedis;
    if (!client.acRecordHeartbeat) client.defineCommand('acRecordHeartbeat', { numberOfKeys: 2, lua: RECORD_HEARTBEAT });
  }

  /** `excludedTypes`: announced, but owned by another pool; the dispatcher must not send them here. */
  async recordHeartbeats(beats: Array<{ beat: WorkerHeartbeat; receivedAt: number; silenceMs: number; excludedTypes?: string[] }>): Promise<void> {
    const pipeline = this.redis.client.pipeline();
    for (const { beat, receivedAt, silenceMs, excludedTypes = [] } of beats) {
      const record: WorkerRecord = {
        workerId: beat.workerId,
        pool: beat.pool,
        capacity: beat.capacity,
        partitions: beat.partitions,
        types: beat.taskTypes.map((t) => t.name).filter((name) => !excludedTypes.includes(name)),
        running: beat.running.length,
        intervalMs: beat.intervalMs,
        startedAt: beat.startedAt,
        lastSeen: receivedAt,
        expiresAt: receivedAt + silenceMs,
      };
      (pipeline as unknown as HeartbeatRedis).acRecordHeartbeat(
        this.keys.workers(beat.pool),
        this.keys.workerExpiry(),
        beat.workerId,
        JSON.stringify(record),
        String(record.lastSeen),
        String(record.expiresAt),
        memberOf(beat.pool, beat.workerId),
      );
    }
    await pipeline.exec();
  }

  async list(): Promise<Array<WorkerRecord & { inflight: string[] }>> {
    const out: Array<WorkerRecord & { inflight: string[] }> = [];
    for (const pool of WORKER_POOLS) {
      const raw = await this.redis.client.hgetall(this.keys.workers(pool));
      for (const json of Object.values(raw)) {
        const record = JSON.parse(json) as WorkerRecord;
        out.push({ ...record, inflight: await this.redis.client.smembers(this.keys.inflight(record.workerId)) });
      }
    }
    return out.sort((a, b) => a.pool.localeCompare(b.pool) || a.workerId.localeCompare(b.workerId));
  }

  async inflightCount(workerId: string): Promise<number> {
    return this.redis.client.scard(this.keys.inflight(workerId));
  }

  async earliestExpiry(): Promise<number | null> {
    const [, score] = await this.redis.client.zrange(this.keys.workerExpiry(), 0, 0, 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  /**
   * Claims the workers that have gone silent: removing a worker from the
   * expiry set succeeds for one orchestrator only, and only if it has not
   * beaten again meanwhile. Returns each claimed worker with the tasks it
   * held (its in-flight set is emptied).
   */
  async claimSilent(nowMs: number): Promise<Array<{ pool: WorkerPool; workerId: string; tasks: string[] }>> {
    const due = await this.redis.client.zrangebyscore(this.keys.workerExpiry(), '-inf', nowMs, 'LIMIT', 0, 100);
    const claimed: Array<{ pool: WorkerPool; workerId: string; tasks: string[] }> = [];
    for (const member of due) {
      const [pool, workerId] = member.split('|') as [WorkerPool, string];
      const result = (await this.redis.client.eval(
        `if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return false end
         if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1])) > tonumber(ARGV[2]) then return false end
         redis.call('ZREM', KEYS[1], ARGV[1])
         redis.call('HDEL', KEYS[2], ARGV[3])
         local tasks = redis.call('SMEMBERS', KEYS[3])
         redis.call('DEL', KEYS[3])
         return tasks`,
        3,
        this.keys.workerExpiry(),
        this.keys.workers(pool),
        this.keys.inflight(workerId),
        member,
        String(nowMs),
        workerId,
      )) as string[] | null;
      if (result) claimed.push({ pool, workerId, tasks: result });
    }
    return claimed;
  }
}

function memberOf(pool: WorkerPool, workerId: string): string {
  return `${pool}|${workerId}`;
}
