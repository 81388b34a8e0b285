import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  ASSIGNMENT_EVENTS,
  leaseMatches,
  POOL_TOPICS,
  SIGNATURE_HEADER,
  verifyPayloadSignature,
  taskControlEvent,
  taskProgressEvent,
  taskResultEvent,
  workerHeartbeatEvent,
  type ErrorInfo,
  type JsonValue,
  type TaskAssignment,
  type TaskResult,
} from '@autocode/contracts';
import { ConsumerFactory, EventPublisher, PermanentError, type EventConsumer } from '@autocode/messaging';
import { MetricsWriter } from '@autocode/metrics';
import { ServiceIdentity, ServiceRunner, type Startable } from '@autocode/runtime';
import { decorate, loggingDecorator, metricsDecorator, timingDecorator, type DecoratorName, type TaskDecorator } from './task-decorators';
import { publishSigned } from './signed-publish';
import { NonRetryableTaskError, type TaskContext, type TaskHandler } from './task-handler';
import { WORKER_OPTIONS, type WorkerOptions } from './worker.options';

interface RunningTask {
  assignment: TaskAssignment;
  controller: AbortController;
  /** Set when the orchestrator told us to stop: the result is no longer wanted. */
  stoppedBy?: string;
}

const PROGRESS_THROTTLE_MS = 250;
/** Attempts this worker has finished, remembered so a redelivered (or replayed) assignment is not run twice. */
const REMEMBERED_ATTEMPTS = 10_000;
/** Tasks finishing faster than this never send a separate "started" report; the result carries startedAt. */
const STARTED_REPORT_DELAY_MS = 100;

/**
 * Runs tasks for one worker pool. It announces capacity, running tasks and
 * task types in heartbeats; accepts only assignments addressed to it while
 * it has a free slot (others go back as `rejected`); reports progress,
 * checkpoints and results; stops a task when told to or when its deadline
 * passes; and drains on shutdown.
 */
@Injectable()
export class WorkerRuntime implements Startable, OnModuleInit {
  readonly name = 'worker-runtime';
  private readonly logger = new Logger(WorkerRuntime.name);
  private readonly handlers = new Map<string, TaskHandler>();
  private readonly running = new Map<string, RunningTask>();
  private readonly finishedAttempts = new Set<string>();
  private readonly startedAt = new Date().toISOString();
  private assignments?: EventConsumer;
  private heartbeatTimer?: NodeJS.Timeout;
  private draining = false;

  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsWriter,
    private readonly identity: ServiceIdentity,
    private readonly runner: ServiceRunner,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  get workerId(): string {
    return this.identity.instanceId;
  }

  register(handler: TaskHandler<unknown, JsonValue>): void {
    if (this.assignments?.state && this.assignments.state !== 'idle') throw new Error('register task types before the worker starts');
    const decorators: Record<DecoratorName, TaskDecorator> = {
      timing: timingDecorator(),
      logging: loggingDecorator(),
      metrics: metricsDecorator(this.metrics),
    };
    this.handlers.set(handler.descriptor.name, decorate(handler, this.options.decorators, decorators));
  }

  onModuleInit(): void {
    const pool = this.options.pool;
    this.assignments = this.consumers
      .create({ groupId: `${pool}-workers`, partitionsConsumedConcurrently: 8 })
      .on(ASSIGNMENT_EVENTS[pool], ({ envelope, headers }) => {
        // Only the orchestrator holds the mesh secret it is signed with: anyone else's assignment is refused, not run.
        const signature = verifyPayloadSignature(envelope.type, envelope.payload, headers[SIGNATURE_HEADER], this.options.meshSecret);
        if (!signature.ok) throw new PermanentError(`refused assignment of ${envelope.payload.taskId} attempt ${envelope.payload.attempt}: ${signature.reason}`);
        return this.accept(envelope.payload);
      });
    this.assignments.onAssignmentChange(() => void this.heartbeat());
    // Every worker reads every stop order (its own group); they are few and small.
    this.consumers
      .create({ groupId: `${pool}-control.${this.workerId}`, fromBeginning: false })
      .on(taskControlEvent, async ({ envelope }) => {
        const order = envelope.payload;
        const task = this.running.get(order.taskId);
        if (order.workerId !== this.workerId || !task || task.assignment.attempt !== order.attempt) return;
        // Only the orchestrator that handed out the lease knows its hash: anyone else's stop order is refused.
        if (!leaseMatches(task.assignment.leaseToken, order.leaseHash)) {
          throw new PermanentError(`refused stop order for ${order.taskId} attempt ${order.attempt}: its lease hash does not match the assignment's lease`);
        }
        task.stoppedBy = order.reason;
        task.controller.abort(new Error(`stopped: ${order.reason}`));
      });
    this.runner.register(this);
  }

  async start(): Promise<void> {
    this.draining = false;
    await this.heartbeat();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.options.heartbeatIntervalMs);
  }

  /** Takes no new work, lets running tasks finish for a while, then stops the rest. */
  async stop(): Promise<void> {
    this.draining = true;
    await this.heartbeat();
    const deadline = Date.now() + this.options.drainTimeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) await sleep(100);
    for (const task of this.running.values()) task.controller.abort(new Error('worker shutting down'));
    while (this.running.size > 0 && Date.now() < deadline + 2000) await sleep(50);
    clearInterval(this.heartbeatTimer);
  }

  private async accept(assignment: TaskAssignment): Promise<void> {
    const existing = this.running.get(assignment.taskId);
    if (existing && existing.assignment.attempt === assignment.attempt) return; // redelivered
    if (this.finishedAttempts.has(attemptKey(assignment))) return; // redelivered after it finished
    if (assignment.workerId !== this.workerId) {
      return this.reject(assignment, `addressed to ${assignment.workerId}, received by ${this.workerId} after a rebalance`);
    }
    if (this.draining || this.running.size >= this.options.capacity) {
      return this.reject(assignment, this.draining ? 'worker is shutting down' : 'no free slot');
    }
    const handler = this.handlers.get(assignment.type);
    // The dispatcher only sends announced types; this is a race with a restart. Another worker may run it.
    if (!handler) return this.reject(assignment, `no handler for task type "${assignment.type}" on ${this.workerId}`);
    // Not awaited: a long task must not hold up the partition (or its heartbeats).
    void this.execute(assignment, handler);
  }

  private async execute(assignment: TaskAssignment, handler: TaskHandler): Promise<void> {
    const controller = new AbortController();
    const task: RunningTask = { assignment, controller };
    this.running.set(assignment.taskId, task);
    const startedAt = new Date().toISOString();
    const deadline = new Date(assignment.deadline);
    const deadlineTimer = setTimeout(() => controller.abort(new Error('time limit exceeded')), Math.max(0, deadline.getTime() - Date.now()));
    let lastProgressAt = 0;
    let finished = false;
    const startedTimer = setTimeout(() => {
      if (!finished) void this.sendProgress(assignment, 0, 'started');
    }, STARTED_REPORT_DELAY_MS);

    const context: TaskContext = {
      taskId: assignment.taskId,
      attempt: assignment.attempt,
      workerId: this.workerId,
      deadline,
      checkpoint: assignment.checkpoint,
      signal: controller.signal,
      progress: async (percent, message, checkpoint) => {
        const now = Date.now();
        if (checkpoint === undefined && now - lastProgressAt < PROGRESS_THROTTLE_MS) return;
        lastProgressAt = now;
        await this.sendProgress(assignment, percent, message, checkpoint);
      },
    };

    let outcome: Pick<TaskResult, 'outcome' | 'output' | 'error'>;
    try {
      const params = parseParams(handler, assignment.params);
      const output = await abortable(handler.run(params, context), controller.signal);
      outcome = { outcome: 'succeeded', output };
    } catch (error) {
      outcome = { outcome: 'failed', output: null, error: describeFailure(error, controller.signal) };
    } finally {
      finished = true;
      this.remember(assignment);
      clearTimeout(deadlineTimer);
      clearTimeout(startedTimer);
      this.running.delete(assignment.taskId);
    }
    if (task.stoppedBy) return; // the orchestrator has already moved the task on
    await this.report(assignment, outcome, startedAt);
    this.metrics.increment('worker_task', { type: assignment.type, outcome: outcome.outcome, pool: this.options.pool });
  }

  private remember(assignment: TaskAssignment): void {
    this.finishedAttempts.add(attemptKey(assignment));
    // A Set iterates in insertion order: the first is the oldest.
    if (this.finishedAttempts.size > REMEMBERED_ATTEMPTS) this.finishedAttempts.delete(this.finishedAttempts.values().next().value as string);
  }

  private async reject(assignment: TaskAssignment, reason: string): Promise<void> {
    const now = new Date().toISOString();
    await this.report(assignment, { outcome: 'rejected', output: null, error: { message: reason, retryable: true } }, now);
  }

  private async report(assignment: TaskAssignment, outcome: Pick<TaskResult, 'outcome' | 'output' | 'error'>, startedAt: string): Promise<void> {
    try {
      await this.publisher.publish(
        taskResultEvent,
        {
          taskId: assignment.taskId,
          attempt: assignment.attempt,
          workerId: this.workerId,
          leaseToken: assignment.leaseToken,
          type: assignment.type,
          ...outcome,
          startedAt,
          finishedAt: new Date().toISOString(),
        },
        { key: assignment.taskId, correlationId: assignment.taskId },
      );
    } catch (error) {
      // The orchestrator's time limit and liveness checks recover the task.
      this.logger.error({ msg: 'could not report a result', taskId: assignment.taskId, err: (error as Error).message });
    }
  }

  private async sendProgress(assignment: TaskAssignment, percent: number, message: string, checkpoint?: JsonValue): Promise<void> {
    try {
      await this.publisher.publish(
        taskProgressEvent,
        {
          taskId: assignment.taskId,
          attempt: assignment.attempt,
          workerId: this.workerId,
          leaseToken: assignment.leaseToken,
          percent,
          message: message.slice(0, 500),
          ...(checkpoint === undefined ? {} : { checkpoint }),
        },
        { key: assignment.taskId, correlationId: assignment.taskId },
      );
    } catch (error) {
      this.logger.warn({ msg: 'could not report progress', taskId: assignment.taskId, err: (error as Error).message });
    }
  }

  private async heartbeat(): Promise<void> {
    const pool = this.options.pool;
    try {
      await publishSigned(
        this.publisher,
        workerHeartbeatEvent,
        {
          workerId: this.workerId,
          pool,
          capacity: this.draining ? 0 : this.options.capacity,
          running: [...this.running.values()].map((t) => ({ taskId: t.assignment.taskId, attempt: t.assignment.attempt })),
          partitions: this.assignments?.partitionsOf(POOL_TOPICS[pool]) ?? [],
          taskTypes: [...this.handlers.values()].map((h) => ({ ...h.descriptor, pool })),
          startedAt: this.startedAt,
          intervalMs: this.options.heartbeatIntervalMs,
        },
        { producer: this.identity.service, key: this.workerId, correlationId: this.workerId },
        this.options.meshSecret,
      );
    } catch (error) {
      this.logger.warn({ msg: 'heartbeat failed', err: (error as Error).message });
    }
  }
}

function attemptKey(assignment: Pick<TaskAssignment, 'taskId' | 'attempt'>): string {
  return `${assignment.taskId}:${assignment.attempt}`;
}

function parseParams(handler: TaskHandler, params: unknown): unknown {
  try {
    return handler.parse(params);
  } catch (error) {
    throw new NonRetryableTaskError(`invalid params for ${handler.descriptor.name}: ${(error as Error).message}`);
  }
}

/** Settles as soon as the signal aborts, even if the work ignores it. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

function describeFailure(error: unknown, signal: AbortSignal): ErrorInfo {
  const message = (error as Error)?.message || String(error);
  if (signal.aborted && /time limit/.test(String((signal.reason as Error)?.message))) {
    return { message: 'time limit exceeded', retryable: true };
  }
  return { message: message.slice(0, 5000), retryable: !(error instanceof NonRetryableTaskError) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
