import { Module } from '@nestjs/common';
import { TaskCoreModule } from '../tasks/task-core.module';
import { TriggersModule } from '../triggers/triggers.module';
import { GenerationCycleConsumer } from './generation-cycle.consumer';
import { GenerationCycleService } from './generation-cycle.service';

@Module({
  imports: [TaskCoreModule, TriggersModule],
  providers: [GenerationCycleService, GenerationCycleConsumer],
})
export class CycleModule {}
