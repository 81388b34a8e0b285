import { Injectable } from '@nestjs/common';
import type { TaskState, WorkerPool } from '@autocode/contracts';
import { RedisConnection } from '@autocode/state';

/** Every Redis key of the task core, in one place. */
@Injectable()
export class TaskKeys {
  constructor(private readonly redis: RedisConnection) {}

  task(id: string): string {
    return this.redis.key('task', id);
  }
  history(id: string): string {
    return this.redis.key('task', id, 'history');
  }
  all(): string {
    return this.redis.key('tasks', 'all');
  }
  byState(state: TaskState): string {
    return this.redis.key('tasks', 'state', state);
  }
  ready(pool: WorkerPool): string {
    return this.redis.key('queue', pool);
  }
  /** Count of ready tasks per `pool:priority`. */
  depth(): string {
    return this.redis.key('queue', 'depth');
  }
  /** QUEUED tasks waiting for `scheduledFor`, and RETRYING tasks waiting for their backoff. */
  delayed(): string {
    return this.redis.key('queue', 'delayed');
  }
  deadlines(): string {
    return this.redis.key('queue', 'deadlines');
  }
  paused(pool: WorkerPool): string {
    return this.redis.key('queue', 'paused', pool);
  }
  workers(pool: WorkerPool): string {
    return this.redis.key('workers', pool);
  }
  /** Score: when the worker counts as silent unless it beats again. */
  workerExpiry(): string {
    return this.redis.key('workers', 'expiry');
  }
  inflight(workerId: string): string {
    return this.redis.key('worker', workerId, 'inflight');
  }
  stats(minute: number): string {
    return this.redis.key('stats', String(minute));
  }
  outbox(): string {
    return this.redis.key('outbox');
  }
  dedupe(key: string): string {
    return this.redis.key('tasks', 'dedupe', key);
  }
  taskTypes(): string {
    return this.redis.key('task-types');
  }
  get prefix(): string {
    return this.redis.options.keyPrefix;
  }
}
