import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { newId, type TriggerRequested } from '@autocode/contracts';
import { RepositoryPolicy } from '@autocode/git';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { GENERATION_CYCLE_WORKFLOW } from '../workflows/definitions/built-in-workflows';
import { derivedId, WorkflowEngine } from '../workflows/workflow-engine.service';
import type { TriggerReceipt, TriggerRecord } from './trigger.model';
import { TriggerRepository } from './trigger.repository';

/** A redelivered Kafka message is recognised for this long. */
const MESSAGE_DEDUPE_SECONDS = 7 * 24 * 3600;

@Injectable()
export class TriggerService implements OnModuleInit {
  private readonly logger = new Logger(TriggerService.name);

  constructor(
    private readonly triggers: TriggerRepository,
    private readonly workflows: WorkflowEngine,
    private readonly metrics: MetricsWriter,
    private readonly repositories: RepositoryPolicy,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  /** The configured default repository is held to the same policy as a trigger's: a bad one stops the start, naming the variable. */
  onModuleInit(): void {
    const problem = this.repositories.problem(this.config.TARGET_REPOSITORY);
    if (problem) throw new Error(`TARGET_REPOSITORY: ${problem}`);
  }

  /**
   * Records a trigger once and starts a run of the generation-cycle
   * workflow for it, if its repository is one the policy allows. A redelivered message (same envelope id) or a repeated
   * dedupeKey inside the window returns the earlier trigger and starts
   * nothing new.
   */
  async receive(request: TriggerRequested, origin: { messageId?: string; actor: string }): Promise<TriggerReceipt> {
    // Before anything is recorded: a refused repository leaves no trace but the refusal (RepositoryNotAllowedError, a 400).
    if (request.repository !== undefined) this.repositories.assertAllowed(request.repository);
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
      status: 'started',
      runId: derivedId('run', id, GENERATION_CYCLE_WORKFLOW),
      error: null,
    };
    await this.triggers.save(trigger);
    try {
      await this.workflows.startRun(
        GENERATION_CYCLE_WORKFLOW,
        {
          params: {
            repository: trigger.repository,
            ref: trigger.ref,
            lookbackHours: trigger.lookbackHours,
            environment: this.config.DEPLOY_ENVIRONMENT,
            ...(request.paths ? { paths: request.paths } : {}),
            ...(request.kinds ? { kinds: request.kinds } : {}),
          },
          priority: 'MEDIUM',
          correlationId: id,
        },
        { id: trigger.runId! },
      );
    } catch (error) {
      // Give the keys back so a retry of this trigger is not mistaken for a duplicate.
      if (origin.messageId) await this.triggers.release('message', origin.messageId, id);
      if (request.dedupeKey) await this.triggers.release('key', request.dedupeKey, id);
      await this.triggers.recordOutcome(id, 'failed', null, `could not start the generation cycle: ${(error as Error).message}`);
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
