import { Inject, Injectable } from '@nestjs/common';
import type { TaskState, TaskTransition } from '@autocode/contracts';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { TaskKeys } from './task-keys';
import { TaskSignals } from './task-signals';
import { planCreation, planTransition, type PlannedTransition, type TransitionStep } from './task-transitions';
import { StaleAttemptError, TaskNotFoundError, type TaskRecord } from './task.model';
import { TaskRepository, type ApplyOutcome } from './task.repository';

export interface TransitionContext {
  /** Who: a user, API key name, worker or service. */
  actor: string;
  /** From where: `api`, `kafka:<topic>`, `scheduler` … */
  source: string;
  reason: string;
}

export interface TransitionRequest extends TransitionContext {
  /** Refuse (StaleAttemptError) unless the task is on this attempt. */
  expectAttempt?: number;
  /** Only act when the task is in one of these states; otherwise return it unchanged. */
  onlyFrom?: readonly TaskState[];
  changes?: Partial<TaskRecord>;
  /** The transition ends an execution in failure. */
  failure?: boolean;
  /** Extra outbox records applied with the change (e.g. a stop order to a worker). */
  outbox?: string[];
  /**
   * When the change happens, if the caller already decided things relative
   * to a moment (a retry's backoff counts from the same instant the
   * RETRYING entry records).
   */
  now?: Date;
}

const MAX_CAS_ROUNDS = 8;

/**
 * The one place a task's state changes. Every change is planned against the
 * legal-transition table and applied atomically in Redis with its audit
 * entry, its queue and index moves and its outbox record (from which the
 * lifecycle event is published).
 */
@Injectable()
export class TaskLifecycleService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly keys: TaskKeys,
    private readonly signals: TaskSignals,
    private readonly metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  get agingStepMs(): number {
    return this.config.QUEUE_AGING_STEP_SECONDS * 1000;
  }

  /** Records a task (CREATED, then QUEUED). Returns the stored task and whether this call created it. */
  async create(task: TaskRecord, context: TransitionContext): Promise<{ task: TaskRecord; created: boolean }> {
    const planned = planCreation(task, context, { keys: this.keys, now: new Date(), agingStepMs: this.agingStepMs });
    const outcome = await this.tasks.apply(task.id, planned.mutation);
    if (outcome.kind === 'exists') return { task: await this.get(task.id), created: false };
    this.expectOk(task.id, outcome);
    this.afterApply(planned);
    return { task: planned.after, created: true };
  }

  /** Creates many tasks in one round trip; returns, per task, whether it was new. */
  async createMany(items: Array<{ task: TaskRecord; context: TransitionContext }>): Promise<boolean[]> {
    const now = new Date();
    const planned = items.map(({ task, context }) => planCreation(task, context, { keys: this.keys, now, agingStepMs: this.agingStepMs }));
    const outcomes = await this.tasks.applyMany(planned.map((p) => ({ taskId: p.after.id, mutation: p.mutation })));
    return outcomes.map((outcome, i) => {
      if (outcome.kind === 'exists') return false;
      this.expectOk(planned[i].after.id, outcome);
      this.afterApply(planned[i]);
      return true;
    });
  }

  async get(taskId: string): Promise<TaskRecord> {
    const task = await this.tasks.get(taskId);
    if (!task) throw new TaskNotFoundError(taskId);
    return task;
  }

  history(taskId: string): Promise<TaskTransition[]> {
    return this.tasks.history(taskId);
  }

  /** Moves a task along `steps` (or to one state) from wherever it is now, re-reading on concurrent change. */
  async transition(taskId: string, to: TaskState | TaskState[], request: TransitionRequest): Promise<TaskRecord> {
    const targets = Array.isArray(to) ? to : [to];
    for (let round = 0; round < MAX_CAS_ROUNDS; round += 1) {
      const task = await this.get(taskId);
      if (request.expectAttempt !== undefined && task.attempt !== request.expectAttempt) {
        throw new StaleAttemptError(taskId, request.expectAttempt, task.attempt);
      }
      if (request.onlyFrom && !request.onlyFrom.includes(task.state)) return task;
      const steps: TransitionStep[] = targets.map((state) => ({ to: state, actor: request.actor, source: request.source, reason: request.reason }));
      const planned = this.plan(task, steps, request);
      const outcome = await this.tasks.apply(taskId, planned.mutation);
      if (outcome.kind === 'changed') continue;
      this.expectOk(taskId, outcome);
      this.afterApply(planned);
      return planned.after;
    }
    throw new Error(`task ${taskId}: gave up after ${MAX_CAS_ROUNDS} concurrent modifications`);
  }

  /** Plans without applying, for batch paths that apply many plans in one round trip. */
  plan(task: TaskRecord, steps: TransitionStep[], request: Pick<TransitionRequest, 'changes' | 'failure' | 'outbox' | 'now'> = {}): PlannedTransition {
    const planned = planTransition(task, steps, {
      keys: this.keys,
      now: request.now ?? new Date(),
      agingStepMs: this.agingStepMs,
      changes: request.changes,
      failure: request.failure,
    });
    if (request.outbox) planned.mutation.outbox.push(...request.outbox);
    return planned;
  }

  /** Applies plans made with `plan`; returns which ones found their task changed meanwhile. */
  async applyPlanned(plans: PlannedTransition[]): Promise<ApplyOutcome[]> {
    const outcomes = await this.tasks.applyMany(plans.map((p) => ({ taskId: p.after.id, mutation: p.mutation })));
    outcomes.forEach((outcome, i) => outcome.kind === 'ok' && this.afterApply(plans[i]));
    return outcomes;
  }

  private afterApply(planned: PlannedTransition): void {
    const task = planned.after;
    for (const entry of planned.entries) {
      this.metrics.increment('task_transition', { from: entry.from ?? 'NONE', to: entry.to, priority: task.priority, type: task.type });
    }
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(task.state)) {
      this.metrics.record(
        'task_finished',
        { duration_ms: Date.now() - Date.parse(task.createdAt), attempts: task.attempt, failures: task.failures, task_id: task.id },
        { state: task.state, priority: task.priority, type: task.type },
      );
    }
    this.signals.outboxWritten();
    if (task.state === 'QUEUED') {
      if (task.queueScore !== null) this.signals.readyIn(task.pool);
      else if (task.scheduledFor) this.signals.dueAt(Date.parse(task.scheduledFor));
    }
    if (task.state === 'RETRYING' && task.retryAt) this.signals.dueAt(Date.parse(task.retryAt));
    // A finished or interrupted execution frees a slot on its worker.
    if (planned.entries.some((e) => e.from === 'SCHEDULED' || e.from === 'RUNNING') && !['SCHEDULED', 'RUNNING'].includes(task.state)) {
      this.signals.readyIn(task.pool);
    }
  }

  private expectOk(taskId: string, outcome: ApplyOutcome): void {
    if (outcome.kind === 'not-found') throw new TaskNotFoundError(taskId);
    if (outcome.kind !== 'ok') throw new Error(`task ${taskId}: unexpected ${outcome.kind} while applying a change`);
  }
}
