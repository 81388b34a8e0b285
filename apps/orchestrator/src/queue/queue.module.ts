import { Module } from '@nestjs/common';
import { SchedulesModule } from '../schedules/schedules.module';
import { TaskCoreModule } from '../tasks/task-core.module';
import { QueueController } from './queue.controller';
import { QueueInsightsService } from './queue-insights.service';

@Module({
  imports: [TaskCoreModule, SchedulesModule],
  controllers: [QueueController],
  providers: [QueueInsightsService],
})
export class QueueModule {}
