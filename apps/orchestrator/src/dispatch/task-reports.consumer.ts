import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { taskProgressEvent, taskResultEvent, type TaskProgress, type TaskResult } from '@autocode/contracts';
import { ConsumerFactory, type IncomingEvent } from '@autocode/messaging';
import { MetricsWriter } from '@autocode/metrics';
import { decideAfterFailure } from '../tasks/failure-policy';
import { TaskLifecycleService } from '../tasks/task-lifecycle.service';
import type { PlannedTransition, TransitionStep } from '../tasks/task-transitions';
import { StaleAttemptError, TaskNotFoundError, type TaskRecord } from '../tasks/task.model';
import { TaskRepository } from '../tasks/task.repository';

const EXECUTING = ['SCHEDULED', 'RUNNING'];

/**
 * Results and progress from workers, a batch at a time: one read and one
 * write round trip to Redis per batch. A report counts only for the task's
 * current attempt while it is executing; anything else (a duplicate, a late
 * report of a superseded attempt, a task cancelled meanwhile) changes
 * nothing.
 */
@Injectable()
export class TaskReportsConsumer implements OnModuleInit {
  private readonly logger = new Logger(TaskReportsConsumer.name);

  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly tasks: TaskRepository,
    private readonly lifecycle: TaskLifecycleService,
    private readonly metrics: MetricsWriter,
  ) {}

  onModuleInit(): void {
    this.consumers
      .create({ groupId: 'orchestrator.reports', partitionsConsumedConcurrently: 4 })
      .onBatch(taskResultEvent, (events) => this.onResults(events))
      .onBatch(taskProgressEvent, (events) => this.onProgress(events));
  }

  async onResults(events: Array<IncomingEvent<TaskResult>>): Promise<void> {
    const reports = events.map((e) => e.envelope.payload);
    const tasks = await this.tasks.getMany(reports.map((r) => r.taskId));
    const plans: Array<{ plan: PlannedTransition; report: TaskResult }> = [];
    reports.forEach((report, i) => {
      const task = tasks[i];
      if (!this.isCurrent(task, report)) return;
      plans.push({ plan: this.planResult(task!, report), report });
    });
    const outcomes = await this.lifecycle.applyPlanned(plans.map((p) => p.plan));
    // A task that changed between read and write (a cancel, say) is looked at again on its own.
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.kind === 'changed') await this.retryOne(plans[i].report);
    }
  }

  async onProgress(events: Array<IncomingEvent<TaskProgress>>): Promise<void> {
    // Only the newest report per task matters.
    const latest = new Map<string, TaskProgress>();
    for (const e of events) latest.set(`${e.envelope.payload.taskId}:${e.envelope.payload.attempt}`, e.envelope.payload);
    const reports = [...latest.values()];
    const tasks = await this.tasks.getMany(reports.map((r) => r.taskId));
    const plans: PlannedTransition[] = [];
    reports.forEach((report, i) => {
      const task = tasks[i];
      if (!this.isCurrent(task, report)) return;
      const changes: Partial<TaskRecord> = {
        progress: { percent: report.percent, message: report.message, workerId: report.workerId, at: new Date().toISOString() },
        ...(report.checkpoint === undefined ? {} : { checkpoint: report.checkpoint }),
      };
      if (task!.state === 'SCHEDULED') {
        plans.push(this.lifecycle.plan(task!, [{ to: 'RUNNING', actor: report.workerId, source: 'kafka:task.progress', reason: `started on ${report.workerId}` }], { changes }));
      } else {
        plans.push(this.lifecycle.plan(task!, [], { changes }));
      }
    });
    await this.lifecycle.applyPlanned(plans);
  }

  private planResult(task: TaskRecord, report: TaskResult): PlannedTransition {
    const actor = report.workerId;
    const source = 'kafka:task.result';
    const started: TransitionStep[] =
      task.state === 'SCHEDULED' && report.outcome !== 'rejected' ? [{ to: 'RUNNING', actor, source, reason: `started on ${actor}` }] : [];
    const timing = { startedAt: task.startedAt ?? report.startedAt };
    this.metrics.increment('task_result', { outcome: report.outcome, type: task.type });

    if (report.outcome === 'succeeded') {
      return this.lifecycle.plan(task, [...started, { to: 'COMPLETED', actor, source, reason: 'succeeded' }], {
        changes: { ...timing, output: report.output, error: null, retryAt: null },
      });
    }
    if (report.outcome === 'rejected') {
      return this.lifecycle.plan(task, [{ to: 'QUEUED', actor, source, reason: `returned by ${actor}: ${report.error?.message ?? 'rejected'}` }]);
    }
    const error = report.error ?? { message: 'failed without an error message', retryable: true };
    const now = new Date();
    const decision = decideAfterFailure(task, error, { actor, source, now });
    return this.lifecycle.plan(task, [...started, decision.step], { changes: { ...timing, ...decision.changes }, failure: true, now });
  }

  private async retryOne(report: TaskResult): Promise<void> {
    try {
      const task = await this.lifecycle.get(report.taskId);
      if (!this.isCurrent(task, report)) return;
      const [outcome] = await this.lifecycle.applyPlanned([this.planResult(task, report)]);
      if (outcome.kind !== 'ok') this.logger.warn({ msg: 'result could not be applied', taskId: report.taskId, outcome: outcome.kind });
    } catch (error) {
      if (error instanceof TaskNotFoundError || error instanceof StaleAttemptError) return;
      throw error;
    }
  }

  private isCurrent(task: TaskRecord | null, report: { taskId: string; attempt: number }): boolean {
    if (task && task.attempt === report.attempt && EXECUTING.includes(task.state)) return true;
    this.metrics.increment('stale_report_ignored');
    return false;
  }
}
