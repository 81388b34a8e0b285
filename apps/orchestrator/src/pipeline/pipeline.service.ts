import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  deploymentRequestedEvent,
  validationRequestedEvent,
  type DeploymentCompleted,
  type Envelope,
  type GenerationCompleted,
  type Opportunity,
  type PlanningCompleted,
  type TaskProgress,
  type ValidationCompleted,
} from '@autocode/contracts';
import { EventPublisher } from '@autocode/messaging';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { StaleAttemptError, TaskNotFoundError, type TaskRecord } from '../tasks/task.model';
import { TaskLifecycleService } from '../tasks/task-lifecycle.service';
import { TriggerRepository } from '../triggers/trigger.repository';
import { TaskDispatcher } from './task-dispatcher.service';

const EMPTY_PATCH = { diff: '', filesChanged: 0, insertions: 0, deletions: 0 };

/** The id a planned opportunity gets, so a redelivered plan creates nothing twice. */
export function taskIdFor(triggerId: string, fingerprint: string): string {
  return `tsk_${createHash('sha256').update(`${triggerId}:${fingerprint}`).digest('hex').slice(0, 24)}`;
}

/**
 * Moves an improvement task through generate → validate → deploy. Each
 * handler is idempotent: it acts only when the task is on the reported
 * attempt and in the stage the report belongs to, so duplicates and late
 * reports of superseded attempts change nothing.
 */
@Injectable()
export class PipelineService {
  private readonly logger = new Logger(PipelineService.name);

  constructor(
    private readonly lifecycle: TaskLifecycleService,
    private readonly dispatcher: TaskDispatcher,
    private readonly triggers: TriggerRepository,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  async onPlanningCompleted(envelope: Envelope<PlanningCompleted>): Promise<void> {
    const plan = envelope.payload;
    if (plan.outcome === 'failed' || !plan.commit) {
      await this.triggers.recordOutcome(plan.triggerId, 'failed', [], plan.error?.message ?? 'planning failed');
      return;
    }
    const taskIds: string[] = [];
    for (const opportunity of plan.opportunities) {
      const task = await this.ensureTask(plan, plan.commit, opportunity);
      taskIds.push(task.id);
      await this.advanceNewTask(task);
    }
    await this.triggers.recordOutcome(plan.triggerId, 'planned', taskIds);
    this.logger.log({ msg: 'plan accepted', triggerId: plan.triggerId, tasks: taskIds.length });
  }

  async onProgress(progress: TaskProgress): Promise<void> {
    const task = await this.currentAttempt(progress.taskId, progress.attempt);
    if (!task) return;
    if (task.state === 'SCHEDULED') await this.markRunning(task, progress.nodeId);
    await this.lifecycle.updateCurrentAttempt(task.id, task.attempt, {
      progress: { percent: progress.percent, message: progress.message, nodeId: progress.nodeId, stage: progress.stage, at: new Date().toISOString() },
    });
  }

  async onGenerationCompleted(result: GenerationCompleted): Promise<void> {
    let task = await this.currentAttempt(result.taskId, result.attempt);
    if (!task || task.stage !== 'generation' || !['SCHEDULED', 'RUNNING'].includes(task.state)) return;
    if (task.state === 'SCHEDULED') task = await this.markRunning(task, result.nodeId);
    this.metrics.record('generation_result', { duration_ms: result.durationMs, task_id: task.id }, { outcome: result.outcome, generator: result.generator });

    if (result.outcome === 'failed') {
      await this.fail(task, result.error?.message ?? 'generation failed', result.error?.retryable ?? true, []);
      return;
    }
    const patch = result.patch ?? EMPTY_PATCH;
    if (!(await this.lifecycle.updateCurrentAttempt(task.id, task.attempt, { generation: result, stage: 'validation' }))) return;
    await this.publisher.publish(
      validationRequestedEvent,
      { taskId: task.id, attempt: task.attempt, repository: task.repository, commit: task.commit, patch },
      { key: task.id, correlationId: task.id },
    );
  }

  async onValidationCompleted(report: ValidationCompleted): Promise<void> {
    const task = await this.currentAttempt(report.taskId, report.attempt);
    if (!task || task.stage !== 'validation' || task.state !== 'RUNNING') return;
    if (!(await this.lifecycle.updateCurrentAttempt(task.id, task.attempt, { validation: report }))) return;

    if (report.verdict === 'failed') {
      const findings = report.stages
        .filter((s) => s.status === 'failed')
        .flatMap((s) => [`${s.name}: ${s.summary}`, ...s.findings.map((f) => `${s.name}: ${f}`)]);
      await this.fail(task, `validation failed: ${findings.slice(0, 3).join('; ')}`, true, findings);
      return;
    }
    await this.lifecycle.updateCurrentAttempt(task.id, task.attempt, { stage: 'deployment' });
    await this.publisher.publish(
      deploymentRequestedEvent,
      {
        taskId: task.id,
        attempt: task.attempt,
        repository: task.repository,
        commit: task.commit,
        patch: task.generation?.patch ?? EMPTY_PATCH,
        environment: task.environment,
        title: task.title,
      },
      { key: task.id, correlationId: task.id },
    );
  }

  async onDeploymentCompleted(report: DeploymentCompleted): Promise<void> {
    const task = await this.currentAttempt(report.taskId, report.attempt);
    if (!task || task.stage !== 'deployment' || task.state !== 'RUNNING') return;
    if (report.outcome === 'deployed' || report.outcome === 'nothing-to-deploy') {
      await this.lifecycle.transition(task.id, 'COMPLETED', {
        actor: 'deployer',
        source: 'kafka:deployment.completed',
        reason: report.summary,
        expectAttempt: task.attempt,
        changes: { deployment: report, stage: null },
      });
      return;
    }
    await this.lifecycle.transition(task.id, 'FAILED', {
      actor: 'deployer',
      source: 'kafka:deployment.completed',
      reason: `deployment ${report.outcome}: ${report.summary}`,
      expectAttempt: task.attempt,
      changes: { deployment: report, error: { message: report.summary, retryable: false } },
    });
  }

  private async ensureTask(plan: PlanningCompleted, commit: string, opportunity: Opportunity): Promise<TaskRecord> {
    const id = taskIdFor(plan.triggerId, opportunity.fingerprint);
    await this.lifecycle.create(
      {
        id,
        type: 'improvement',
        title: opportunity.title,
        priority: opportunity.priority,
        attempt: 1,
        maxAttempts: this.config.TASK_MAX_ATTEMPTS,
        repository: plan.repository,
        commit,
        environment: this.config.DEPLOY_ENVIRONMENT,
        triggerId: plan.triggerId,
        opportunity,
        stage: null,
        createdAt: new Date().toISOString(),
        deadline: null,
        progress: null,
        generation: null,
        validation: null,
        deployment: null,
        error: null,
      },
      { actor: 'planner', source: 'kafka:planning.completed', reason: `planned: ${opportunity.kind}` },
    );
    return this.lifecycle.get(id);
  }

  /** Picks up where an interrupted earlier delivery of the same plan stopped. */
  private async advanceNewTask(task: TaskRecord): Promise<void> {
    let current = task;
    if (current.state === 'CREATED') {
      current = await this.lifecycle.transition(current.id, 'QUEUED', {
        actor: 'orchestrator',
        source: 'pipeline',
        reason: 'queued for generation',
      });
    }
    if (current.state === 'QUEUED') await this.dispatcher.dispatch(current);
  }

  private markRunning(task: TaskRecord, nodeId: string): Promise<TaskRecord> {
    return this.lifecycle.transition(task.id, 'RUNNING', {
      actor: nodeId,
      source: 'kafka:task.progress',
      reason: `started on ${nodeId}`,
      expectAttempt: task.attempt,
    });
  }

  /** Another attempt with the failure as feedback while attempts remain, else FAILED. */
  private async fail(task: TaskRecord, message: string, retryable: boolean, feedback: string[]): Promise<void> {
    const context = { actor: 'orchestrator', source: 'pipeline', expectAttempt: task.attempt };
    if (retryable && task.attempt < task.maxAttempts) {
      const retrying = await this.lifecycle.transition(task.id, 'RETRYING', { ...context, reason: message, changes: { error: { message, retryable } } });
      const queued = await this.lifecycle.transition(task.id, 'QUEUED', {
        ...context,
        expectAttempt: retrying.attempt,
        reason: `attempt ${retrying.attempt} of ${task.maxAttempts}`,
      });
      await this.dispatcher.dispatch(queued, feedback);
      return;
    }
    await this.lifecycle.transition(task.id, 'FAILED', {
      ...context,
      reason: message,
      changes: { error: { message, retryable: false }, stage: null },
    });
  }

  private async currentAttempt(taskId: string, attempt: number): Promise<TaskRecord | null> {
    try {
      const task = await this.lifecycle.get(taskId);
      if (task.attempt !== attempt) throw new StaleAttemptError(taskId, attempt, task.attempt);
      return task;
    } catch (error) {
      if (error instanceof StaleAttemptError) {
        this.metrics.record('stale_report_ignored', { count: 1, task_id: taskId }, {});
        this.logger.log({ msg: 'ignoring report of a superseded attempt', taskId, attempt });
        return null;
      }
      if (error instanceof TaskNotFoundError) {
        this.logger.warn({ msg: 'report for an unknown task', taskId });
        return null;
      }
      throw error;
    }
  }
}
