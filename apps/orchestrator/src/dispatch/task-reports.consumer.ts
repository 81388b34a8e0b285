import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { taskProgressEvent, taskResultEvent, type TaskProgress, type TaskResult } from '@autocode/contracts';
import { ConsumerFactory, PermanentError, type IncomingEvent } from '@autocode/messaging';
import { MetricsWriter } from '@autocode/metrics';
import { decideAfterFailure, decideAfterReturn } from '../tasks/failure-policy';
import { TaskLifecycleService } from '../tasks/task-lifecycle.service';
import type { PlannedTransition, TransitionStep } from '../tasks/task-transitions';
import type { TaskRecord } from '../tasks/task.model';
import { encodeLease, TaskRepository, type LeasedTask } from '../tasks/task.repository';
import { admitReport, type ReportClaim, type ReportVerdict } from './report-admission';

/**
 * Results and progress from workers, a batch at a time: one read and one
 * write round trip to Redis per batch. A report counts only if it holds the
 * lease of the task's current attempt (see report-admission.ts) while the
 * task is executing, and the lease is checked again in the script that
 * applies it. A duplicate of a counted report changes nothing; anything
 * else (a forged report, a late one of a superseded attempt) is
 * dead-lettered with the reason and changes nothing either.
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
    const leased = await this.tasks.getManyWithLease(reports.map((r) => r.taskId));
    const verdicts = this.admitAll(leased, reports, 'task.result');
    const plans: Array<{ plan: PlannedTransition; report: TaskResult }> = [];
    reports.forEach((report, i) => {
      if (verdicts[i].kind === 'accept') plans.push({ plan: this.planResult(leased[i]!, report), report });
    });
    const outcomes = await this.lifecycle.applyPlanned(plans.map((p) => p.plan));
    // A task that changed between read and write (a cancel, say) is looked at again on its own.
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.kind === 'changed' || outcome.kind === 'lease') await this.retryOne(plans[i].report);
    }
  }

  async onProgress(events: Array<IncomingEvent<TaskProgress>>): Promise<void> {
    const all = events.map((e) => e.envelope.payload);
    const leasedAll = await this.tasks.getManyWithLease(all.map((r) => r.taskId));
    const verdicts = this.admitAll(leasedAll, all, 'task.progress');
    // Only the newest accepted report per task matters.
    const latest = new Map<string, { report: TaskProgress; leased: LeasedTask }>();
    all.forEach((report, i) => {
      if (verdicts[i].kind === 'accept') latest.set(`${report.taskId}:${report.attempt}`, { report, leased: leasedAll[i]! });
    });
    const plans: PlannedTransition[] = [];
    for (const { report, leased } of latest.values()) {
      const task = leased.task;
      const changes: Partial<TaskRecord> = {
        progress: { percent: report.percent, message: report.message, workerId: report.workerId, at: new Date().toISOString() },
        ...(report.checkpoint === undefined ? {} : { checkpoint: report.checkpoint }),
      };
      const steps: TransitionStep[] =
        task.state === 'SCHEDULED' ? [{ to: 'RUNNING', actor: report.workerId, source: 'kafka:task.progress', reason: `started on ${report.workerId}` }] : [];
      plans.push(this.leased(this.lifecycle.plan(task, steps, { changes }), leased, report));
    }
    // A report that lost a race (the task moved on meanwhile) was authentic when read; it is simply no longer needed.
    const outcomes = await this.lifecycle.applyPlanned(plans);
    const lost = outcomes.filter((o) => o.kind !== 'ok').length;
    if (lost) this.metrics.increment('stale_report_ignored', { kind: 'progress' }, lost);
  }

  /**
   * Every report of the batch is judged before anything is applied. If any
   * is refused, the whole batch is handed back with a PermanentError: the
   * consumer then runs each message on its own, so the authentic ones are
   * applied (once) and each refused one is dead-lettered with its reason.
   */
  private admitAll(leased: Array<LeasedTask | null>, reports: ReportClaim[], what: string): ReportVerdict[] {
    const verdicts = reports.map((report, i) => admitReport(leased[i], report, what));
    const refused = verdicts.flatMap((v) => (v.kind === 'refuse' ? [v.reason] : []));
    if (refused.length) {
      this.metrics.increment('report_refused', { kind: what }, refused.length);
      this.logger.warn({ msg: 'refusing reports', kind: what, count: refused.length, first: refused[0] });
      throw new PermanentError(refused.length === 1 ? refused[0] : `${refused.length} of ${reports.length} reports refused; first: ${refused[0]}`);
    }
    const duplicates = verdicts.filter((v) => v.kind === 'duplicate').length;
    if (duplicates) this.metrics.increment('stale_report_ignored', { kind: what }, duplicates);
    return verdicts;
  }

  /** Makes the apply script check, with the change, that the report's lease is still the task's. */
  private leased(plan: PlannedTransition, leased: LeasedTask, report: ReportClaim): PlannedTransition {
    plan.mutation.expectLease = encodeLease(leased.lease!);
    if (report.outcome !== 'rejected') plan.mutation.expectWorker = report.workerId;
    return plan;
  }

  private planResult(leased: LeasedTask, report: TaskResult): PlannedTransition {
    const task = leased.task;
    const actor = report.workerId;
    const source = 'kafka:task.result';
    const started: TransitionStep[] =
      task.state === 'SCHEDULED' && report.outcome !== 'rejected' ? [{ to: 'RUNNING', actor, source, reason: `started on ${actor}` }] : [];
    const timing = { startedAt: task.startedAt ?? report.startedAt };
    this.metrics.increment('task_result', { outcome: report.outcome, type: task.type });

    if (report.outcome === 'succeeded') {
      return this.leased(
        this.lifecycle.plan(task, [...started, { to: 'COMPLETED', actor, source, reason: 'succeeded' }], {
          changes: { ...timing, output: report.output, error: null, retryAt: null },
        }),
        leased,
        report,
      );
    }
    if (report.outcome === 'rejected') {
      const decision = decideAfterReturn(task, `returned by ${actor}: ${report.error?.message ?? 'rejected'}`, { actor, source });
      return this.leased(this.lifecycle.plan(task, [decision.step], { changes: decision.changes }), leased, report);
    }
    const error = report.error ?? { message: 'failed without an error message', retryable: true };
    const now = new Date();
    const decision = decideAfterFailure(task, error, { actor, source, now });
    return this.leased(this.lifecycle.plan(task, [...started, decision.step], { changes: { ...timing, ...decision.changes }, failure: true, now }), leased, report);
  }

  private async retryOne(report: TaskResult): Promise<void> {
    const leased = await this.tasks.getWithLease(report.taskId);
    const verdict = admitReport(leased, report, 'task.result');
    if (verdict.kind !== 'accept') {
      // It held the lease when it was read; the task has moved on since (cancelled, timed out).
      this.metrics.increment('stale_report_ignored', { kind: 'task.result' });
      return;
    }
    const [outcome] = await this.lifecycle.applyPlanned([this.planResult(leased!, report)]);
    if (outcome.kind !== 'ok') this.logger.warn({ msg: 'result could not be applied', taskId: report.taskId, outcome: outcome.kind });
  }
}
