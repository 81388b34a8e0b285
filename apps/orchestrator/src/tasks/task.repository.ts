import { Injectable } from '@nestjs/common';
import { newLeases, type TaskState, type TaskTransition, type WorkerPool } from '@autocode/contracts';
import { RedisConnection } from '@autocode/state';
import type { Redis } from 'ioredis';
import { decodeTask } from './task-codec';
import { TaskKeys } from './task-keys';
import { APPLY_MUTATION, DISPATCH, PROMOTE_DUE } from './task-scripts';
import { creationEntries, type TaskMutation } from './task-transitions';
import type { TaskRecord } from './task.model';

export type ApplyOutcome =
  | { kind: 'ok' }
  | { kind: 'not-found' }
  | { kind: 'exists'; state: TaskState; attempt: number }
  | { kind: 'changed'; state: TaskState; attempt: number }
  /** The report's lease is not the current attempt's (see APPLY_MUTATION). */
  | { kind: 'lease'; state: TaskState; attempt: number };

/** A task with the lease of the attempt it was last dispatched with (none before its first dispatch). */
export interface LeasedTask {
  task: TaskRecord;
  lease: TaskLease | null;
}

/** Stored as `<attempt>.<hash>` in the task's `lease` field (see DISPATCH). */
export interface TaskLease {
  attempt: number;
  hash: string;
}

export function encodeLease(lease: TaskLease): string {
  return `${lease.attempt}.${lease.hash}`;
}

function decodeLease(value: string | undefined): TaskLease | null {
  const match = /^(\d+)\.(.+)$/.exec(value ?? '');
  return match ? { attempt: Number(match[1]), hash: match[2] } : null;
}

type ScriptedRedis = Redis & {
  acApplyMutation(task: string, history: string, outbox: string, mutation: string): Promise<string[]>;
  acDispatch(...args: string[]): Promise<number>;
  acPromoteDue(...args: string[]): Promise<string[]>;
};

/** The only code that reads and writes tasks in Redis. */
@Injectable()
export class TaskRepository {
  private readonly client: ScriptedRedis;
  /** Leases drawn but not yet handed out (see dispatch). */
  private readonly spareLeases: Array<{ token: string; hash: string }> = [];

  constructor(
    redis: RedisConnection,
    private readonly keys: TaskKeys,
  ) {
    const client: Redis = redis.client;
    // defineCommand uses EVALSHA with a fallback to EVAL, so scripts are sent once.
    if (!(client as unknown as Record<string, unknown>).acApplyMutation) {
      client.defineCommand('acApplyMutation', { numberOfKeys: 3, lua: APPLY_MUTATION });
      client.defineCommand('acDispatch', { numberOfKeys: 0, lua: DISPATCH });
      client.defineCommand('acPromoteDue', { numberOfKeys: 0, lua: PROMOTE_DUE });
    }
    this.client = client as ScriptedRedis;
  }

  async apply(taskId: string, mutation: TaskMutation): Promise<ApplyOutcome> {
    const result = await this.client.acApplyMutation(this.keys.task(taskId), this.keys.history(taskId), this.keys.outbox(), JSON.stringify(mutation));
    return toOutcome(result);
  }

  /** Several mutations in one round trip; each is still atomic on its own. */
  async applyMany(items: Array<{ taskId: string; mutation: TaskMutation }>): Promise<ApplyOutcome[]> {
    if (items.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const { taskId, mutation } of items) {
      (pipeline as unknown as ScriptedRedis).acApplyMutation(this.keys.task(taskId), this.keys.history(taskId), this.keys.outbox(), JSON.stringify(mutation));
    }
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      return toOutcome(value as string[]);
    });
  }

  async get(taskId: string): Promise<TaskRecord | null> {
    const hash = await this.client.hgetall(this.keys.task(taskId));
    return hash.id ? decodeTask(hash) : null;
  }

  async getMany(taskIds: string[]): Promise<Array<TaskRecord | null>> {
    return (await this.getManyWithLease(taskIds)).map((leased) => leased?.task ?? null);
  }

  async getWithLease(taskId: string): Promise<LeasedTask | null> {
    const hash = await this.client.hgetall(this.keys.task(taskId));
    return hash.id ? { task: decodeTask(hash), lease: decodeLease(hash.lease) } : null;
  }

  /** Tasks with their lease hashes, in one round trip (for checking reports and writing stop orders). */
  async getManyWithLease(taskIds: string[]): Promise<Array<LeasedTask | null>> {
    if (taskIds.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const id of taskIds) pipeline.hgetall(this.keys.task(id));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, hash]) => {
      if (error) throw error;
      const h = hash as Record<string, string>;
      return h.id ? { task: decodeTask(h), lease: decodeLease(h.lease) } : null;
    });
  }

  /** The audit trail: the creation entries (implied by the task's fields), then every stored entry. */
  async history(taskId: string): Promise<TaskTransition[]> {
    const [[, creation], [, entries]] = (await this.client
      .multi()
      .hmget(this.keys.task(taskId), 'createdAt', 'scheduledFor', 'createdBy')
      .lrange(this.keys.history(taskId), 0, -1)
      .exec()) as [[unknown, Array<string | null>], [unknown, string[]]];
    const [createdAt, scheduledFor, createdBy] = creation;
    const implied = createdAt && createdBy ? creationEntries({ id: taskId, createdAt, scheduledFor }, createdBy) : [];
    return [...implied, ...entries.map((e) => ({ taskId, ...(JSON.parse(e) as Omit<TaskTransition, 'taskId'>) }))];
  }

  /**
   * Dispatches up to `max` ready tasks of a pool, each with a fresh lease.
   * The script takes leases in order, as many as it dispatches; the rest
   * went nowhere but this call and are offered again next time, so a lease
   * is drawn per dispatched task, not per task that might have been.
   */
  async dispatch(pool: WorkerPool, max: number, now: Date): Promise<number> {
    if (this.spareLeases.length < max) this.spareLeases.push(...newLeases(Math.max(max - this.spareLeases.length, 16)));
    // Taken out while in use: two dispatches at once never offer the same lease.
    const offered = this.spareLeases.splice(0, max);
    const dispatched = await this.client.acDispatch(
      this.keys.prefix,
      pool,
      String(now.getTime()),
      String(max),
      now.toISOString(),
      ...offered.flatMap(({ token, hash }) => [token, hash]),
    );
    this.spareLeases.push(...offered.slice(dispatched));
    return dispatched;
  }

  async promoteDue(now: Date, agingStepMs: number, limit = 500): Promise<WorkerPool[]> {
    return (await this.client.acPromoteDue(this.keys.prefix, String(now.getTime()), now.toISOString(), String(agingStepMs), String(limit))) as WorkerPool[];
  }

  /** Earliest score of a sorted set (delayed, deadlines), if any. */
  async earliest(key: string): Promise<number | null> {
    const [, score] = await this.client.zrange(key, 0, 0, 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  async removeFrom(key: string, member: string): Promise<void> {
    await this.client.zrem(key, member);
  }

  async dueIds(key: string, now: Date, limit = 500): Promise<string[]> {
    return this.client.zrangebyscore(key, '-inf', now.getTime(), 'LIMIT', 0, limit);
  }

  async list(state: TaskState | undefined, offset: number, limit: number): Promise<{ ids: string[]; total: number }> {
    const key = state ? this.keys.byState(state) : this.keys.all();
    const [ids, total] = await Promise.all([this.client.zrevrange(key, offset, offset + limit - 1), this.client.zcard(key)]);
    return { ids, total };
  }

  async countByState(states: readonly TaskState[]): Promise<Record<string, number>> {
    const pipeline = this.client.pipeline();
    for (const state of states) pipeline.zcard(this.keys.byState(state));
    const results = (await pipeline.exec()) ?? [];
    return Object.fromEntries(states.map((state, i) => [state, Number(results[i]?.[1] ?? 0)]));
  }

  async readyDepth(): Promise<Record<string, number>> {
    const raw = await this.client.hgetall(this.keys.depth());
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  async delayedCount(): Promise<number> {
    return this.client.zcard(this.keys.delayed());
  }

  /** Delayed entries due before `untilMs`, earliest first. */
  async delayedUntil(untilMs: number, limit: number): Promise<Array<{ id: string; dueMs: number }>> {
    const raw = await this.client.zrangebyscore(this.keys.delayed(), '-inf', untilMs, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: Array<{ id: string; dueMs: number }> = [];
    for (let i = 0; i < raw.length; i += 2) out.push({ id: raw[i], dueMs: Number(raw[i + 1]) });
    return out;
  }

  async statsSince(minutes: number, nowMs: number): Promise<Array<Record<string, number>>> {
    const current = Math.floor(nowMs / 60_000);
    const pipeline = this.client.pipeline();
    for (let m = current - minutes + 1; m <= current; m += 1) pipeline.hgetall(this.keys.stats(m));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, raw]) => Object.fromEntries(Object.entries(raw as Record<string, string>).map(([k, v]) => [k, Number(v)])));
  }

  async setPaused(pool: WorkerPool, paused: boolean): Promise<void> {
    if (paused) await this.client.set(this.keys.paused(pool), '1');
    else await this.client.del(this.keys.paused(pool));
  }

  async isPaused(pool: WorkerPool): Promise<boolean> {
    return (await this.client.exists(this.keys.paused(pool))) === 1;
  }

  /** Claims many idempotency keys in one round trip; returns, per key, the task id that holds it. */
  async claimDedupeKeys(claims: Array<{ key: string; taskId: string }>, ttlSeconds: number): Promise<Map<string, string>> {
    const holders = new Map<string, string>();
    if (claims.length === 0) return holders;
    const pipeline = this.client.pipeline();
    for (const { key, taskId } of claims) pipeline.set(this.keys.dedupe(key), taskId, 'EX', ttlSeconds, 'NX').get(this.keys.dedupe(key));
    const results = (await pipeline.exec()) ?? [];
    claims.forEach(({ key }, i) => holders.set(key, String(results[i * 2 + 1]?.[1])));
    return holders;
  }

  /** Claims a caller's idempotency key for a task id; returns the id that holds it. */
  async claimDedupeKey(key: string, taskId: string, ttlSeconds: number): Promise<string> {
    const redisKey = this.keys.dedupe(key);
    const claimed = await this.client.set(redisKey, taskId, 'EX', ttlSeconds, 'NX');
    return claimed === 'OK' ? taskId : ((await this.client.get(redisKey)) ?? taskId);
  }
}

function toOutcome(result: string[]): ApplyOutcome {
  switch (result[0]) {
    case 'OK':
      return { kind: 'ok' };
    case 'NOT_FOUND':
      return { kind: 'not-found' };
    case 'EXISTS':
      return { kind: 'exists', state: result[1] as TaskState, attempt: Number(result[2]) };
    case 'LEASE':
      return { kind: 'lease', state: result[1] as TaskState, attempt: Number(result[2]) };
    default:
      return { kind: 'changed', state: result[1] as TaskState, attempt: Number(result[2]) };
  }
}
