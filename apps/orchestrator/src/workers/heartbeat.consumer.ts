import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { workerHeartbeatEvent, type WorkerHeartbeat } from '@autocode/contracts';
import { ConsumerFactory, PermanentError, type IncomingEvent } from '@autocode/messaging';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { TaskTypeRegistry } from '../registry/task-type-registry';
import { TaskSignals } from '../tasks/task-signals';
import { heartbeatRefusal } from './heartbeat-admission';
import { WorkerRepository } from './worker.repository';

/**
 * Records worker heartbeats (capacity, partitions, task types) and nudges
 * dispatch when slots appear. A heartbeat that is unsigned or badly
 * signed, claims too many slots or announces a task type it may not (see
 * TaskTypeRegistry.refusals) is dead-lettered with the reason: its worker
 * is not registered and nothing changes.
 */
@Injectable()
export class HeartbeatConsumer implements OnModuleInit {
  private readonly logger = new Logger(HeartbeatConsumer.name);
  /**
   * When this instance first read heartbeats. Until then it cannot tell a
   * silent worker from one it has not heard yet (after a restart, joining
   * the group can take a session timeout), so nobody is judged silent.
   */
  firstBatchAt: number | null = null;

  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly workers: WorkerRepository,
    private readonly registry: TaskTypeRegistry,
    private readonly signals: TaskSignals,
    private readonly metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  onModuleInit(): void {
    this.consumers.create({ groupId: 'orchestrator.workers', fromBeginning: false }).onBatch(workerHeartbeatEvent, (events) => this.onHeartbeats(events));
  }

  async onHeartbeats(events: Array<IncomingEvent<WorkerHeartbeat>>): Promise<void> {
    // Judged before anything is written: if one is refused, the consumer
    // runs each on its own, so the others count and only it is dead-lettered.
    const refused: string[] = [];
    for (const event of events) {
      const reason = heartbeatRefusal(event, { meshSecret: this.config.MESH_SECRET, maxCapacity: this.config.WORKER_MAX_CAPACITY_CLAIM });
      const types = reason ? [] : await this.registry.refusals(event.envelope.payload.taskTypes, event.envelope.payload.pool);
      if (reason) refused.push(reason);
      else if (types.length) refused.push(`refused heartbeat of ${event.envelope.payload.workerId} (${event.envelope.payload.pool}): ${types.join('; ')}`);
    }
    if (refused.length) {
      this.metrics.increment('heartbeat_refused', {}, refused.length);
      this.logger.warn({ msg: 'refusing heartbeats', count: refused.length, first: refused[0] });
      throw new PermanentError(refused.length === 1 ? refused[0] : `${refused.length} of ${events.length} heartbeats refused; first: ${refused[0]}`);
    }

    const now = Date.now();
    const beats = events.map((e) => ({
      beat: e.envelope.payload,
      // When it was sent (never later than now): a heartbeat read late, after an outage
      // of ours, still says the worker was alive when it sent it.
      receivedAt: Math.min(now, Date.parse(e.envelope.occurredAt)),
      silenceMs: Math.max(this.config.WORKER_SILENCE_TIMEOUT_MS, e.envelope.payload.intervalMs * 3),
    }));
    // Types first: a worker is offered only types its pool owns (the script also refuses a type another pool took meanwhile).
    const notOwned = new Map<string, string[]>();
    for (const { beat } of beats) {
      const lost = await this.registry.announce(beat.taskTypes, beat.workerId, beat.pool);
      if (lost.length) {
        notOwned.set(beat.workerId, lost);
        this.logger.warn({ msg: 'task types registered by another pool meanwhile; not offered to this worker', workerId: beat.workerId, types: lost });
      }
    }
    await this.workers.recordHeartbeats(beats.map((b) => ({ ...b, excludedTypes: notOwned.get(b.beat.workerId) ?? [] })));
    this.firstBatchAt ??= Date.now();
    for (const { beat } of beats) if (beat.capacity > beat.running.length) this.signals.readyIn(beat.pool);
    this.signals.dueAt(Math.min(...beats.map((b) => b.receivedAt + b.silenceMs)));
  }
}
