import { Injectable } from '@nestjs/common';
import type { TaskState, TaskTransition } from '@autocode/contracts';
import { RedisConnection } from '@autocode/state';
import { JSON_FIELDS, type TaskRecord } from './task.model';

/** Writes a new task and its first audit entry, unless the id exists. */
const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local n = tonumber(ARGV[1])
local fields = {}
for i = 1, n * 2 do fields[i] = ARGV[1 + i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('RPUSH', KEYS[2], ARGV[2 + n * 2])
redis.call('ZADD', KEYS[3], ARGV[3 + n * 2], ARGV[4 + n * 2])
return 1
`;

/**
 * Compare-and-set on (state, attempt): the transition applies only if
 * nobody moved the task since the caller read it. Returns the state and
 * attempt found when it does not.
 */
const TRANSITION_SCRIPT = `
local current = redis.call('HMGET', KEYS[1], 'state', 'attempt')
if not current[1] then return {'NOT_FOUND'} end
if current[1] ~= ARGV[1] or current[2] ~= ARGV[2] then return {'CHANGED', current[1], current[2]} end
local n = tonumber(ARGV[3])
local fields = {}
for i = 1, n * 2 do fields[i] = ARGV[3 + i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('RPUSH', KEYS[2], ARGV[4 + n * 2])
return {'OK'}
`;

/** Updates non-state fields only while the task is still on the given attempt. */
const UPDATE_IF_ATTEMPT_SCRIPT = `
local attempt = redis.call('HGET', KEYS[1], 'attempt')
if not attempt then return 'NOT_FOUND' end
if attempt ~= ARGV[1] then return 'STALE' end
local n = tonumber(ARGV[2])
local fields = {}
for i = 1, n * 2 do fields[i] = ARGV[2 + i] end
redis.call('HSET', KEYS[1], unpack(fields))
return 'OK'
`;

export type TransitionOutcome =
  | { kind: 'ok' }
  | { kind: 'not-found' }
  | { kind: 'changed'; state: TaskState; attempt: number };

@Injectable()
export class TaskRepository {
  constructor(private readonly redis: RedisConnection) {}

  async create(task: TaskRecord, firstEntry: TaskTransition): Promise<boolean> {
    const fields = encode(task);
    const created = await this.redis.client.eval(
      CREATE_SCRIPT,
      3,
      this.taskKey(task.id),
      this.historyKey(task.id),
      this.redis.key('tasks', 'by-created'),
      String(fields.length / 2),
      ...fields,
      JSON.stringify(firstEntry),
      String(Date.parse(task.createdAt)),
      task.id,
    );
    return created === 1;
  }

  async get(taskId: string): Promise<TaskRecord | null> {
    const hash = await this.redis.client.hgetall(this.taskKey(taskId));
    return Object.keys(hash).length ? decode(hash) : null;
  }

  async history(taskId: string): Promise<TaskTransition[]> {
    const entries = await this.redis.client.lrange(this.historyKey(taskId), 0, -1);
    return entries.map((e) => JSON.parse(e) as TaskTransition);
  }

  async compareAndTransition(
    expected: Pick<TaskRecord, 'id' | 'state' | 'attempt'>,
    changes: Partial<TaskRecord>,
    entry: TaskTransition,
  ): Promise<TransitionOutcome> {
    const fields = encode(changes);
    const result = (await this.redis.client.eval(
      TRANSITION_SCRIPT,
      2,
      this.taskKey(expected.id),
      this.historyKey(expected.id),
      expected.state,
      String(expected.attempt),
      String(fields.length / 2),
      ...fields,
      JSON.stringify(entry),
    )) as string[];
    if (result[0] === 'OK') return { kind: 'ok' };
    if (result[0] === 'NOT_FOUND') return { kind: 'not-found' };
    return { kind: 'changed', state: result[1] as TaskState, attempt: Number(result[2]) };
  }

  /** Returns false when the task moved on to another attempt meanwhile. */
  async updateIfAttempt(taskId: string, attempt: number, changes: Partial<TaskRecord>): Promise<boolean> {
    const fields = encode(changes);
    const result = await this.redis.client.eval(
      UPDATE_IF_ATTEMPT_SCRIPT,
      1,
      this.taskKey(taskId),
      String(attempt),
      String(fields.length / 2),
      ...fields,
    );
    return result === 'OK';
  }

  /** Newest first. */
  async listIds(offset: number, limit: number): Promise<{ ids: string[]; total: number }> {
    const key = this.redis.key('tasks', 'by-created');
    const [ids, total] = await Promise.all([
      this.redis.client.zrevrange(key, offset, offset + limit - 1),
      this.redis.client.zcard(key),
    ]);
    return { ids, total };
  }

  private taskKey(id: string): string {
    return this.redis.key('task', id);
  }

  private historyKey(id: string): string {
    return this.redis.key('task', id, 'history');
  }
}

function encode(changes: Partial<TaskRecord>): string[] {
  const out: string[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    out.push(field, (JSON_FIELDS as readonly string[]).includes(field) || value === null ? JSON.stringify(value) : String(value));
  }
  return out;
}

function decode(hash: Record<string, string>): TaskRecord {
  const record: Record<string, unknown> = { ...hash };
  for (const field of JSON_FIELDS) record[field] = hash[field] ? JSON.parse(hash[field]) : null;
  record.attempt = Number(hash.attempt);
  record.maxAttempts = Number(hash.maxAttempts);
  record.stage = hash.stage && hash.stage !== 'null' ? hash.stage : null;
  record.deadline = hash.deadline && hash.deadline !== 'null' ? hash.deadline : null;
  return record as unknown as TaskRecord;
}
