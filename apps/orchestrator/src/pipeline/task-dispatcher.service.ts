import { Inject, Injectable } from '@nestjs/common';
import { generationRequestedEvent } from '@autocode/contracts';
import { EventPublisher } from '@autocode/messaging';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import type { TaskRecord } from '../tasks/task.model';
import { TaskLifecycleService } from '../tasks/task-lifecycle.service';

/** Hands a queued task to the generation nodes' consumer group. */
@Injectable()
export class TaskDispatcher {
  constructor(
    private readonly lifecycle: TaskLifecycleService,
    private readonly publisher: EventPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  async dispatch(task: TaskRecord, feedback: string[] = []): Promise<TaskRecord> {
    const deadline = new Date(Date.now() + this.config.TASK_TIME_LIMIT_SECONDS * 1000).toISOString();
    const scheduled = await this.lifecycle.transition(task.id, 'SCHEDULED', {
      actor: 'orchestrator',
      source: 'dispatcher',
      reason: 'dispatched to the generation nodes',
      expectAttempt: task.attempt,
      changes: { stage: 'generation', deadline, progress: null },
    });
    try {
      await this.publisher.publish(
        generationRequestedEvent,
        {
          taskId: task.id,
          attempt: scheduled.attempt,
          repository: task.repository,
          commit: task.commit,
          opportunity: task.opportunity,
          feedback,
          deadline,
        },
        { key: task.id, correlationId: task.id },
      );
    } catch (error) {
      // Not delivered: put it back so it is dispatched again, not stranded in SCHEDULED.
      await this.lifecycle.transition(task.id, 'QUEUED', {
        actor: 'orchestrator',
        source: 'dispatcher',
        reason: `dispatch failed: ${(error as Error).message}`,
        expectAttempt: scheduled.attempt,
      });
      throw error;
    }
    return scheduled;
  }
}
