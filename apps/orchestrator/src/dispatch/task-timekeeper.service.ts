import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { decideAfterFailure } from '../tasks/failure-policy';
import { TaskKeys } from '../tasks/task-keys';
import { TaskLifecycleService } from '../tasks/task-lifecycle.service';
import { TaskSignals } from '../tasks/task-signals';
import { StaleAttemptError, TaskNotFoundError, type TaskRecord } from '../tasks/task.model';
import { TaskRepository, type TaskLease } from '../tasks/task.repository';
import { TimerService } from '../timers/timer.service';
import { HeartbeatConsumer } from '../workers/heartbeat.consumer';
import { WorkerRepository } from '../workers/worker.repository';
import { stopOrders } from './stop-order';

/** Longer than a consumer group's session timeout, after which a restarted consumer has joined. */
const GROUP_JOIN_ALLOWANCE_MS = 30_000;

/**
 * What happens to tasks with the passing of time: delayed tasks and retries
 * become ready when due; a task past its time limit fails (or retries) and
 * its worker is told to stop; the tasks of a worker that stopped sending
 * heartbeats go back to the queue with a new attempt number.
 */
@Injectable()
export class TaskTimekeeper implements OnModuleInit {
  private readonly logger = new Logger(TaskTimekeeper.name);
  private readonly startedAt = Date.now();

  constructor(
    private readonly tasks: TaskRepository,
    private readonly keys: TaskKeys,
    private readonly lifecycle: TaskLifecycleService,
    private readonly workers: WorkerRepository,
    private readonly signals: TaskSignals,
    private readonly timers: TimerService,
    private readonly heartbeats: HeartbeatConsumer,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  onModuleInit(): void {
    this.timers.register({
      name: 'delayed-tasks',
      earliest: () => this.tasks.earliest(this.keys.delayed()),
      fire: async (now) => {
        const pools = await this.tasks.promoteDue(now, this.lifecycle.agingStepMs);
        this.signals.outboxWritten();
        for (const pool of pools) this.signals.readyIn(pool);
      },
    });
    this.timers.register({
      name: 'task-deadlines',
      earliest: () => this.tasks.earliest(this.keys.deadlines()),
      fire: (now) => this.expireDeadlines(now),
    });
    this.timers.register({
      name: 'silent-workers',
      earliest: async () => {
        // No worker is judged silent before we have read heartbeats for a while:
        // after our own restart, a worker must not be declared dead for our absence.
        // If none come at all (every worker is gone), judging starts once our
        // consumer has certainly joined its group.
        const heardFrom = this.heartbeats.firstBatchAt ?? this.startedAt + GROUP_JOIN_ALLOWANCE_MS;
        const earliest = await this.workers.earliestExpiry();
        return earliest === null ? null : Math.max(earliest, heardFrom + this.config.WORKER_SILENCE_TIMEOUT_MS);
      },
      fire: (now) => this.requeueSilentWorkers(now),
    });
  }

  private async expireDeadlines(now: Date): Promise<void> {
    const ids = await this.tasks.dueIds(this.keys.deadlines(), now);
    for (const id of ids) {
      const leased = await this.tasks.getWithLease(id);
      const task = leased?.task;
      if (!task || !['SCHEDULED', 'RUNNING'].includes(task.state) || !task.deadline || Date.parse(task.deadline) > now.getTime()) {
        // Stale index entry: the task moved on without its deadline being cleared.
        if (!task || !['SCHEDULED', 'RUNNING'].includes(task.state)) await this.tasks.removeFrom(this.keys.deadlines(), id);
        continue;
      }
      const seconds = Math.round(task.timeLimitMs / 1000);
      // The worker may still be at it: tell it to stop.
      await this.failExecution(task, `time limit of ${seconds}s exceeded`, 'time-limit', leased!.lease);
    }
  }

  private async requeueSilentWorkers(now: Date): Promise<void> {
    for (const worker of await this.workers.claimSilent(now.getTime())) {
      this.logger.warn({ msg: 'worker went silent; re-queueing its tasks', workerId: worker.workerId, tasks: worker.tasks.length });
      for (const id of worker.tasks) {
        const task = await this.tasks.get(id);
        if (!task || task.workerId !== worker.workerId || !['SCHEDULED', 'RUNNING'].includes(task.state)) continue;
        await this.failExecution(task, `worker ${worker.workerId} stopped sending heartbeats`, 'worker-liveness', null);
      }
      this.signals.readyIn(worker.pool);
    }
  }

  /**
   * Ends the current execution of a task as failed: another attempt after its
   * backoff, or FAILED. With the attempt's lease, its worker is told to stop.
   */
  private async failExecution(task: TaskRecord, message: string, source: string, stopLease: TaskLease | null): Promise<void> {
    // The backoff counts from the moment the RETRYING entry records, not from when the timer fired.
    const now = new Date();
    const decision = decideAfterFailure(task, { message, retryable: true }, { actor: 'orchestrator', source, now });
    await this.safely(task.id, () =>
      this.lifecycle.transition(task.id, decision.step.to, {
        ...decision.step,
        expectAttempt: task.attempt,
        onlyFrom: ['SCHEDULED', 'RUNNING'],
        changes: decision.changes,
        failure: true,
        outbox: stopOrders(task, stopLease, decision.step.reason),
        now,
      }),
    );
  }

  private async safely(taskId: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof StaleAttemptError || error instanceof TaskNotFoundError) return;
      this.logger.error({ msg: 'could not act on a due task', taskId, err: (error as Error).message });
    }
  }
}
