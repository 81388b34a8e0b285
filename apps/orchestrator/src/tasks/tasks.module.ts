import { Module } from '@nestjs/common';
import { TaskLifecycleService } from './task-lifecycle.service';
import { TaskRepository } from './task.repository';
import { TasksController } from './tasks.controller';

@Module({
  controllers: [TasksController],
  providers: [TaskRepository, TaskLifecycleService],
  exports: [TaskLifecycleService, TaskRepository],
})
export class TasksModule {}
