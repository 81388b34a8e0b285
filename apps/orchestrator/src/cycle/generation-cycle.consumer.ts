import { Injectable, type OnModuleInit } from '@nestjs/common';
import { taskLifecycleEvent } from '@autocode/contracts';
import { ConsumerFactory } from '@autocode/messaging';
import { CYCLE_TYPES, GenerationCycleService } from './generation-cycle.service';

@Injectable()
export class GenerationCycleConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly cycle: GenerationCycleService,
  ) {}

  onModuleInit(): void {
    this.consumers
      .create({ groupId: 'orchestrator.cycle', partitionsConsumedConcurrently: 4 })
      // Most lifecycle events are of no interest here: skip them without decoding.
      .where((h) => CYCLE_TYPES.has(h['task-type']) && (h['task-state'] === 'COMPLETED' || h['task-state'] === 'FAILED'))
      .on(taskLifecycleEvent, ({ envelope }) => this.cycle.onLifecycle(envelope.payload));
  }
}
