import { Injectable, type OnModuleInit } from '@nestjs/common';
import { triggerRequestedEvent } from '@autocode/contracts';
import { RepositoryNotAllowedError } from '@autocode/git';
import { ConsumerFactory, PermanentError } from '@autocode/messaging';
import { TriggerService } from './trigger.service';

/** Triggers published to the public topic by any Kafka client. */
@Injectable()
export class TriggerConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly service: TriggerService,
  ) {}

  onModuleInit(): void {
    this.consumers.create({ groupId: 'orchestrator.triggers' }).on(triggerRequestedEvent, async ({ envelope }) => {
      try {
        await this.service.receive(envelope.payload, { messageId: envelope.id, actor: envelope.producer });
      } catch (error) {
        // A refused repository stays refused: dead-lettered at once, with the reason.
        if (error instanceof RepositoryNotAllowedError) throw new PermanentError(error.message);
        throw error;
      }
    });
  }
}
