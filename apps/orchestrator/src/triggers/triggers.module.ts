import { Module } from '@nestjs/common';
import { TriggerConsumer } from './trigger.consumer';
import { TriggerController } from './trigger.controller';
import { TriggerRepository } from './trigger.repository';
import { TriggerService } from './trigger.service';

@Module({
  controllers: [TriggerController],
  providers: [TriggerRepository, TriggerService, TriggerConsumer],
  exports: [TriggerRepository],
})
export class TriggersModule {}
