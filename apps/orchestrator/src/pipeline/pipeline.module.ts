import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { TriggersModule } from '../triggers/triggers.module';
import { PipelineConsumer } from './pipeline.consumer';
import { PipelineService } from './pipeline.service';
import { TaskDispatcher } from './task-dispatcher.service';

@Module({
  imports: [TasksModule, TriggersModule],
  providers: [TaskDispatcher, PipelineService, PipelineConsumer],
})
export class PipelineModule {}
