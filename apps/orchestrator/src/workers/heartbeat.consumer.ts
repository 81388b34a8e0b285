import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { workerHeartbeatEvent } from '@autocode/contracts';
import { ConsumerFactory } from '@autocode/messaging';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { TaskTypeRegistry } from '../registry/task-type-registry';
import { TaskSignals } from '../tasks/task-signals';
import { WorkerRepository } from './worker.repository';

/** Records worker heartbeats (capacity, partitions, task types) and nudges dispatch when slots appear. */
@Injectable()
export class HeartbeatConsumer implements OnModuleInit {
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
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
  ) {}

  onModuleInit(): void {
    this.consumers.create({ groupId: 'orchestrator.workers', fromBeginning: false }).onBatch(workerHeartbeatEvent, async (events) => {
      const now = Date.now();
      const beats = events.map((e) => ({
        beat: e.envelope.payload,
        // When it was sent (never later than now): a heartbeat read late, after an outage
        // of ours, still says the worker was alive when it sent it.
        receivedAt: Math.min(now, Date.parse(e.envelope.occurredAt)),
        silenceMs: Math.max(this.config.WORKER_SILENCE_TIMEOUT_MS, e.envelope.payload.intervalMs * 3),
      }));
      await this.workers.recordHeartbeats(beats);
      this.firstBatchAt ??= Date.now();
      for (const { beat } of beats) {
        await this.registry.announce(beat.taskTypes, beat.workerId);
        if (beat.capacity > beat.running.length) this.signals.readyIn(beat.pool);
      }
      this.signals.dueAt(Math.min(...beats.map((b) => b.receivedAt + b.silenceMs)));
    });
  }
}
