import { Injectable, Logger } from '@nestjs/common';
import {
  assertTransition,
  taskLifecycleEvent,
  type TaskState,
  type TaskTransition,
} from '@autocode/contracts';
import { EventPublisher } from '@autocode/messaging';
import { MetricsWriter } from '@autocode/metrics';
import { TaskNotFoundError, StaleAttemptError, type TaskRecord } from './task.model';
import { TaskRepository } from './task.repository';

export interface TransitionContext {
  /** Who: a user, API key name or service. */
  actor: string;
  /** From where: `api`, `kafka:<topic>`, `scheduler` … */
  source: string;
  reason: string;
}

export interface TransitionRequest extends TransitionContext {
  /** Refuse (StaleAttemptError) unless the task is on this attempt. */
  expectAttempt?: number;
  changes?: Partial<Omit<TaskRecord, 'state' | 'attempt' | 'id'>>;
}

const MAX_CAS_ROUNDS = 5;

/**
 * The one place a task's state changes. Every change is checked against the
 * legal-transition table, applied atomically in Redis together with its
 * audit-trail entry, then published on the task-lifecycle topic.
 */
@Injectable()
export class TaskLifecycleService {
  private readonly logger = new Logger(TaskLifecycleService.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsWriter,
  ) {}

  /** Records a new task in CREATED. Returns false (and changes nothing) if it already exists. */
  async create(task: Omit<TaskRecord, 'state' | 'updatedAt'>, context: TransitionContext): Promise<boolean> {
    const record: TaskRecord = { ...task, state: 'CREATED', updatedAt: task.createdAt };
    const entry = this.entry(record.id, null, 'CREATED', record.attempt, context, record.createdAt);
    const created = await this.tasks.create(record, entry);
    if (created) await this.announce(record, entry);
    return created;
  }

  async get(taskId: string): Promise<TaskRecord> {
    const task = await this.tasks.get(taskId);
    if (!task) throw new TaskNotFoundError(taskId);
    return task;
  }

  history(taskId: string): Promise<TaskTransition[]> {
    return this.tasks.history(taskId);
  }

  async transition(taskId: string, to: TaskState, request: TransitionRequest): Promise<TaskRecord> {
    for (let round = 0; round < MAX_CAS_ROUNDS; round += 1) {
      const task = await this.get(taskId);
      if (request.expectAttempt !== undefined && task.attempt !== request.expectAttempt) {
        throw new StaleAttemptError(taskId, request.expectAttempt, task.attempt);
      }
      assertTransition(taskId, task.state, to);

      // A new attempt starts when a task goes back for another try, so any
      // late result of the previous attempt is recognisably stale.
      const attempt = to === 'RETRYING' || (task.state === 'FAILED' && to === 'QUEUED') ? task.attempt + 1 : task.attempt;
      const at = new Date().toISOString();
      const entry = this.entry(taskId, task.state, to, attempt, request, at);
      const changes = { ...request.changes, state: to, attempt, updatedAt: at };
      const outcome = await this.tasks.compareAndTransition(task, changes, entry);
      if (outcome.kind === 'not-found') throw new TaskNotFoundError(taskId);
      if (outcome.kind === 'changed') continue; // someone else moved it; re-read and re-check
      const updated = { ...task, ...changes } as TaskRecord;
      await this.announce(updated, entry);
      return updated;
    }
    throw new Error(`task ${taskId}: gave up after ${MAX_CAS_ROUNDS} concurrent modifications`);
  }

  /** Updates fields of the current attempt without a state change; false when the attempt is stale. */
  updateCurrentAttempt(taskId: string, attempt: number, changes: Partial<TaskRecord>): Promise<boolean> {
    return this.tasks.updateIfAttempt(taskId, attempt, { ...changes, updatedAt: new Date().toISOString() });
  }

  private entry(
    taskId: string,
    from: TaskState | null,
    to: TaskState,
    attempt: number,
    context: TransitionContext,
    at: string,
  ): TaskTransition {
    return { taskId, from, to, attempt, actor: context.actor, source: context.source, reason: context.reason.slice(0, 2000), at };
  }

  private async announce(task: TaskRecord, entry: TaskTransition): Promise<void> {
    this.metrics.record(
      'task_transition',
      { attempt: entry.attempt, task_id: task.id },
      { from: entry.from ?? 'NONE', to: entry.to, priority: task.priority, type: task.type },
    );
    if (entry.to === 'COMPLETED' || entry.to === 'FAILED' || entry.to === 'CANCELLED') {
      this.metrics.record(
        'task_finished',
        { duration_ms: Date.parse(entry.at) - Date.parse(task.createdAt), attempts: entry.attempt, task_id: task.id },
        { state: entry.to, priority: task.priority, type: task.type },
      );
    }
    try {
      await this.publisher.publish(taskLifecycleEvent, { ...entry, type: task.type, priority: task.priority }, {
        key: task.id,
        correlationId: task.id,
      });
    } catch (error) {
      // The audit trail in Redis is the record; the event is a notification.
      this.logger.error({ msg: 'could not publish lifecycle event', taskId: task.id, to: entry.to, err: (error as Error).message });
    }
  }
}
