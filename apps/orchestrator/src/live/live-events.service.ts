import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { taskLifecycleEvent, taskProgressEvent, type TaskLifecycle, type TaskProgress } from '@autocode/contracts';
import { EventConsumer, EventPublisher, KafkaConnection } from '@autocode/messaging';
import { ServiceIdentity } from '@autocode/runtime';
import { admitReport } from '../dispatch/report-admission';
import { TaskRepository } from '../tasks/task.repository';
import { Observable, Subject } from 'rxjs';

export type LiveEvent =
  | { kind: 'lifecycle'; correlationId: string | null; data: TaskLifecycle }
  | { kind: 'progress'; correlationId: string | null; data: Omit<TaskProgress, 'leaseToken'> };

/** With no client left, the consumer stays a little while in case one reconnects. */
const IDLE_STOP_MS = 30_000;

/**
 * Lifecycle and progress events for streaming clients. Each orchestrator
 * instance reads them in a group of its own (new events only), so every
 * client sees every task whichever instance it is connected to. The
 * consumer runs only while someone is listening.
 */
@Injectable()
export class LiveEventsService implements OnApplicationShutdown {
  private readonly logger = new Logger(LiveEventsService.name);
  private readonly subject = new Subject<LiveEvent>();
  private consumer?: EventConsumer;
  private starting?: Promise<void>;
  private listeners = 0;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly publisher: EventPublisher,
    private readonly identity: ServiceIdentity,
    private readonly tasks: TaskRepository,
  ) {}

  /** Resolves once events are flowing (the consumer joined its group). */
  ready(): Promise<void> {
    return this.ensureConsuming();
  }

  get events(): Observable<LiveEvent> {
    return new Observable<LiveEvent>((subscriber) => {
      this.listeners += 1;
      clearTimeout(this.idleTimer);
      void this.ensureConsuming();
      const subscription = this.subject.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        this.listeners -= 1;
        if (this.listeners === 0) this.idleTimer = setTimeout(() => void this.stopConsuming(), IDLE_STOP_MS);
      };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.stopConsuming();
  }

  private ensureConsuming(): Promise<void> {
    if (this.consumer) return this.starting ?? Promise.resolve();
    this.consumer = new EventConsumer(this.connection, this.publisher, {
      groupId: `orchestrator.live.${this.identity.instanceId}`,
      fromBeginning: false,
    })
      .on(taskLifecycleEvent, async ({ envelope }) => this.subject.next({ kind: 'lifecycle', correlationId: envelope.correlationId, data: envelope.payload }))
      .on(taskProgressEvent, async ({ envelope }) => {
        // Anyone who can write the topic can publish progress: a viewer sees only what the lease holder reported
        // (the report consumer dead-letters the rest in its own group).
        const verdict = admitReport(await this.tasks.getWithLease(envelope.payload.taskId), envelope.payload, 'task.progress');
        if (verdict.kind === 'refuse') return this.logger.debug({ msg: 'progress not streamed', reason: verdict.reason });
        // The lease token is the worker's proof of who it is: never handed to a viewer.
        const { leaseToken: _lease, ...progress } = envelope.payload;
        this.subject.next({ kind: 'progress', correlationId: envelope.correlationId, data: progress });
      });
    this.starting = this.consumer.start().catch((error) => {
      this.logger.error({ msg: 'live event consumer failed to start', err: (error as Error).message });
      this.consumer = undefined;
    });
    return this.starting;
  }

  private async stopConsuming(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await this.starting;
    await consumer?.stop();
  }
}
