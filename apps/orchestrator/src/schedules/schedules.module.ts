import { Module } from '@nestjs/common';
import { TaskCoreModule } from '../tasks/task-core.module';
import { TriggersModule } from '../triggers/triggers.module';
import { ScheduleRepository } from './schedule.repository';
import { ScheduleService } from './schedule.service';
import { SchedulesController } from './schedules.controller';

@Module({
  imports: [TaskCoreModule, TriggersModule],
  controllers: [SchedulesController],
  providers: [ScheduleRepository, ScheduleService],
  exports: [ScheduleRepository, ScheduleService],
})
export class SchedulesModule {}
