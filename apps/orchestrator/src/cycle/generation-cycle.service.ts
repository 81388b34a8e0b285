import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  deployOutputSchema,
  generateOutputSchema,
  generateParamsSchema,
  planOutputSchema,
  planParamsSchema,
  validateOutputSchema,
  validateParamsSchema,
  type TaskLifecycle,
} from '@autocode/contracts';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { TaskLifecycleService } from '../tasks/task-lifecycle.service';
import { TaskSubmissionService, type CreateTask } from '../tasks/task-submission.service';
import type { TaskRecord } from '../tasks/task.model';
import { TriggerRepository } from '../triggers/trigger.repository';
import { derivedTaskId } from '../triggers/trigger.service';

export const CYCLE_TYPES = new Set(['plan', 'generate', 'validate', 'deploy']);

/**
 * The generation cycle of a trigger: plan → generate (one task per
 * opportunity) → validate → deploy, each a task of the task core. A change
 * that fails validation is generated again with the findings as feedback,
 * a bounded number of times. Driven by lifecycle events, so it continues
 * after an orchestrator restart; every follow-up task has a derived id, so
 * a redelivered event creates nothing twice.
 */
@Injectable()
export class GenerationCycleService {
  private readonly logger = new Logger(GenerationCycleService.name);

  constructor(
    private readonly lifecycle: TaskLifecycleService,
    private readonly submission: TaskSubmissionService,
    private readonly triggers: TriggerRepository,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  async onLifecycle(event: TaskLifecycle): Promise<void> {
    if (!CYCLE_TYPES.has(event.type) || (event.to !== 'COMPLETED' && event.to !== 'FAILED')) return;
    const task = await this.lifecycle.get(event.taskId);
    if (!task.correlationId?.startsWith('trg_')) return;
    const triggerId = task.correlationId;

    if (task.type === 'plan') {
      if (event.to === 'FAILED') {
        await this.triggers.recordOutcome(triggerId, 'failed', [], task.error?.message ?? 'planning failed');
        return;
      }
      const plan = planOutputSchema.parse(task.output);
      const params = planParamsSchema.parse(task.params);
      const ids: string[] = [];
      for (const opportunity of plan.opportunities) {
        const id = derivedTaskId(task.id, opportunity.fingerprint);
        ids.push(id);
        await this.follow(task, 'generate', id, { repository: params.repository, commit: plan.commit, opportunity, feedback: [], round: 1 }, opportunity.priority);
      }
      await this.triggers.recordOutcome(triggerId, 'planned', ids);
      return;
    }
    if (event.to === 'FAILED') return; // the task's own error says why; the chain stops here

    if (task.type === 'generate') {
      const params = generateParamsSchema.parse(task.params);
      const output = generateOutputSchema.parse(task.output);
      await this.follow(task, 'validate', derivedTaskId(task.id, 'validate'), { repository: params.repository, commit: params.commit, patch: output.patch });
      return;
    }
    if (task.type === 'validate') {
      const report = validateOutputSchema.parse(task.output);
      const generated = await this.lifecycle.get(this.parentOf(task));
      const genParams = generateParamsSchema.parse(generated.params);
      const genOutput = generateOutputSchema.parse(generated.output);
      if (report.verdict === 'failed') {
        if (genParams.round > this.config.CYCLE_MAX_REGENERATIONS) {
          this.logger.warn({ msg: 'change keeps failing validation; giving up', taskId: task.id, rounds: genParams.round });
          return;
        }
        const feedback = report.stages
          .filter((s) => s.status === 'failed')
          .flatMap((s) => [`${s.name}: ${s.summary}`, ...s.findings.map((f) => `${s.name}: ${f}`)])
          .slice(0, 100)
          .map((f) => f.slice(0, 2000));
        await this.follow(task, 'generate', derivedTaskId(task.id, 'regenerate'), { ...genParams, feedback, round: genParams.round + 1 }, generated.priority);
        return;
      }
      const validateParams = validateParamsSchema.parse(task.params);
      await this.follow(task, 'deploy', derivedTaskId(task.id, 'deploy'), {
        repository: validateParams.repository,
        commit: validateParams.commit,
        patch: genOutput.patch,
        environment: this.config.DEPLOY_ENVIRONMENT,
        title: genParams.opportunity.title,
      });
      return;
    }
    if (task.type === 'deploy') {
      const output = deployOutputSchema.parse(task.output);
      this.logger.log({ msg: 'cycle step deployed', taskId: task.id, triggerId, outcome: output.outcome, environment: output.environment });
    }
  }

  /** Creates the next task of the chain, remembering its parent in the params-free `parent` link. */
  private async follow(parent: TaskRecord, type: CreateTask['type'], id: string, params: Record<string, unknown>, priority = parent.priority): Promise<void> {
    await this.submission.submit(
      { type, params: params as CreateTask['params'], priority, correlationId: parent.correlationId ?? undefined },
      { actor: 'generation-cycle', source: `task:${parent.id}`, reason: `follows ${parent.type} ${parent.id}` },
      { id, parentId: parent.id },
    );
  }

  private parentOf(task: TaskRecord): string {
    if (!task.parentId) throw new Error(`task ${task.id} has no parent`);
    return task.parentId;
  }
}
