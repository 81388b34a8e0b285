import { Injectable, type OnModuleInit } from '@nestjs/common';
import { generationRequestedEvent } from '@autocode/contracts';
import { ConsumerFactory } from '@autocode/messaging';
import { GenerationService } from './generation.service';

/** Every generation node joins one group, so Kafka spreads the requests over them. */
@Injectable()
export class GenerationConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly generation: GenerationService,
  ) {}

  onModuleInit(): void {
    this.consumers.create({ groupId: 'generation-node' }).on(generationRequestedEvent, ({ envelope }) => this.generation.run(envelope));
  }
}
