import { Injectable, type OnModuleInit } from '@nestjs/common';
import { taskLifecycleEvent } from '@autocode/contracts';
import { ConsumerFactory } from '@autocode/messaging';
import { WorkflowEngine } from './workflow-engine.service';

const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Final states of the tasks of workflow runs move their runs on. */
@Injectable()
export class WorkflowEventsConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly engine: WorkflowEngine,
  ) {}

  onModuleInit(): void {
    this.consumers
      .create({ groupId: 'orchestrator.workflows', partitionsConsumedConcurrently: 4 })
      // Only final states of tasks that belong to a run matter; the rest is skipped undecoded.
      .where((h) => FINAL.has(h['task-state']) && (h['correlation-id'] ?? '').startsWith('run_'))
      .on(taskLifecycleEvent, async ({ envelope }) => {
        if (FINAL.has(envelope.payload.to)) await this.engine.onTaskFinished(envelope.payload.taskId, envelope.correlationId);
      });
  }
}
