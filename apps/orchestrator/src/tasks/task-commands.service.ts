import { Injectable } from '@nestjs/common';
import { IllegalTransitionError, WORKER_POOLS, type TaskState, type WorkerPool } from '@autocode/contracts';
import { stopOrders } from '../dispatch/stop-order';
import { TaskLifecycleService } from './task-lifecycle.service';
import { TaskSignals } from './task-signals';
import { TaskNotFoundError, type TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';

export interface CommandContext {
  actor: string;
  source: string;
  reason?: string;
}

const EXECUTING: readonly TaskState[] = ['SCHEDULED', 'RUNNING'];

/** What operators do to tasks and queues: cancel, pause, resume, retry. */
@Injectable()
export class TaskCommandsService {
  constructor(
    private readonly lifecycle: TaskLifecycleService,
    private readonly tasks: TaskRepository,
    private readonly signals: TaskSignals,
  ) {}

  /** Any unfinished task; a running one's worker is told to stop. */
  cancel(taskId: string, context: CommandContext): Promise<TaskRecord> {
    return this.stopping(taskId, 'CANCELLED', context, 'cancelled');
  }

  /** A queued, scheduled, running or retrying task; a running one is stopped and later resumes as a new attempt. */
  pause(taskId: string, context: CommandContext): Promise<TaskRecord> {
    return this.stopping(taskId, 'PAUSED', context, 'paused');
  }

  resume(taskId: string, context: CommandContext): Promise<TaskRecord> {
    return this.lifecycle.transition(taskId, 'QUEUED', { ...context, reason: context.reason ?? 'resumed', onlyFrom: undefined });
  }

  /** A failed task gets another attempt, with its full retry budget. */
  async retry(taskId: string, context: CommandContext): Promise<TaskRecord> {
    const task = await this.lifecycle.get(taskId);
    if (task.state !== 'FAILED') throw new IllegalTransitionError(taskId, task.state, 'QUEUED');
    return this.lifecycle.transition(taskId, 'QUEUED', {
      ...context,
      reason: context.reason ?? 'retried by hand',
      expectAttempt: task.attempt,
      changes: { failures: 0, error: null, retryAt: null },
    });
  }

  async pauseQueue(pools: readonly WorkerPool[] = WORKER_POOLS): Promise<void> {
    for (const pool of pools) await this.tasks.setPaused(pool, true);
  }

  async resumeQueue(pools: readonly WorkerPool[] = WORKER_POOLS): Promise<void> {
    for (const pool of pools) {
      await this.tasks.setPaused(pool, false);
      this.signals.readyIn(pool);
    }
  }

  async queuePaused(): Promise<Record<WorkerPool, boolean>> {
    const entries = await Promise.all(WORKER_POOLS.map(async (pool) => [pool, await this.tasks.isPaused(pool)] as const));
    return Object.fromEntries(entries) as Record<WorkerPool, boolean>;
  }

  private async stopping(taskId: string, to: TaskState, context: CommandContext, verb: string): Promise<TaskRecord> {
    const leased = await this.tasks.getWithLease(taskId);
    if (!leased) throw new TaskNotFoundError(taskId);
    const { task, lease } = leased;
    const reason = context.reason ?? `${verb} by ${context.actor}`;
    const outbox = EXECUTING.includes(task.state) ? stopOrders(task, lease, reason) : [];
    return this.lifecycle.transition(taskId, to, { ...context, reason, expectAttempt: task.attempt, outbox });
  }
}
