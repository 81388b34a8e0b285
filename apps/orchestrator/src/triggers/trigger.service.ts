import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { newId, type TriggerRequested } from '@autocode/contracts';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { TaskSubmissionService } from '../tasks/task-submission.service';
import type { TriggerReceipt, TriggerRecord } from './trigger.model';
import { TriggerRepository } from './trigger.repository';

/** A redelivered Kafka message is recognised for this long. */
const MESSAGE_DEDUPE_SECONDS = 7 * 24 * 3600;

/** Derived ids make every step idempotent: the same trigger never plans twice. */
export function derivedTaskId(...parts: string[]): string {
  return `tsk_${createHash('sha256').update(parts.join(':')).digest('hex').slice(0, 24)}`;
}

@Injectable()
export class TriggerService {
  private readonly logger = new Logger(TriggerService.name);

  constructor(
    private readonly triggers: TriggerRepository,
    private readonly submission: TaskSubmissionService,
    private readonly metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  /**
   * Records a trigger once and starts its generation cycle with a `plan`
   * task. A redelivered message (same envelope id) or a repeated dedupeKey
   * inside the window returns the earlier trigger and starts nothing new.
   */
  async receive(request: TriggerRequested, origin: { messageId?: string; actor: string }): Promise<TriggerReceipt> {
    const id = newId('trg');
    if (origin.messageId) {
      const holder = await this.triggers.claim('message', origin.messageId, id, MESSAGE_DEDUPE_SECONDS);
      if (holder !== id) return this.duplicateOf(holder, request);
    }
    if (request.dedupeKey) {
      const holder = await this.triggers.claim('key', request.dedupeKey, id, this.config.TRIGGER_DEDUPE_WINDOW_SECONDS);
      if (holder !== id) return this.duplicateOf(holder, request);
    }

    const trigger: TriggerRecord = {
      id,
      source: request.source,
      reason: request.reason ?? `${request.source} trigger`,
      requestedBy: request.requestedBy ?? origin.actor,
      repository: request.repository ?? this.config.TARGET_REPOSITORY,
      ref: request.ref ?? this.config.TARGET_REF,
      lookbackHours: request.lookbackHours ?? this.config.PLANNER_LOOKBACK_HOURS,
      dedupeKey: request.dedupeKey ?? null,
      receivedAt: new Date().toISOString(),
      status: 'planning',
      taskIds: [],
      error: null,
    };
    await this.triggers.save(trigger);
    try {
      const { task } = await this.submission.submit(
        {
          type: 'plan',
          params: {
            repository: trigger.repository,
            ref: trigger.ref,
            lookbackHours: trigger.lookbackHours,
            ...(request.paths ? { paths: request.paths } : {}),
          },
          priority: 'HIGH',
          correlationId: id,
        },
        { actor: trigger.requestedBy, source: `trigger:${trigger.source}`, reason: trigger.reason },
        { id: derivedTaskId(id, 'plan') },
      );
      await this.triggers.recordOutcome(id, 'planning', [task.id]);
      trigger.taskIds = [task.id];
    } catch (error) {
      // Give the keys back so a retry of this trigger is not mistaken for a duplicate.
      if (origin.messageId) await this.triggers.release('message', origin.messageId, id);
      if (request.dedupeKey) await this.triggers.release('key', request.dedupeKey, id);
      await this.triggers.recordOutcome(id, 'failed', [], `could not start planning: ${(error as Error).message}`);
      throw error;
    }
    this.metrics.record('trigger_received', { count: 1, trigger_id: id }, { source: trigger.source });
    this.logger.log({ msg: 'trigger recorded', triggerId: id, source: trigger.source, repository: trigger.repository });
    return { trigger, deduplicated: false };
  }

  async get(triggerId: string): Promise<TriggerRecord | null> {
    return this.triggers.get(triggerId);
  }

  private async duplicateOf(holder: string, request: TriggerRequested): Promise<TriggerReceipt> {
    this.metrics.record('trigger_deduplicated', { count: 1, trigger_id: holder }, { source: request.source });
    const existing = await this.triggers.get(holder);
    if (!existing) throw new Error(`trigger ${holder} holds a de-duplication key but is not recorded`);
    return { trigger: existing, deduplicated: true };
  }
}
