import { Module } from '@nestjs/common';
import { Dispatcher } from '../dispatch/dispatcher.service';
import { TaskReportsConsumer } from '../dispatch/task-reports.consumer';
import { TaskTimekeeper } from '../dispatch/task-timekeeper.service';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { TaskTypeRegistry } from '../registry/task-type-registry';
import { TimerService } from '../timers/timer.service';
import { HeartbeatConsumer } from '../workers/heartbeat.consumer';
import { WorkerRepository } from '../workers/worker.repository';
import { TaskCommandsService } from './task-commands.service';
import { TaskKeys } from './task-keys';
import { TaskLifecycleService } from './task-lifecycle.service';
import { TaskSignals } from './task-signals';
import { TaskSubmissionService } from './task-submission.service';
import { TaskRepository } from './task.repository';
import { TasksController } from './tasks.controller';

/**
 * The task core: durable task state and its one lifecycle, the task-type
 * registry, worker liveness, priority dispatch into free slots, results,
 * timers and the outbox that publishes every change.
 */
@Module({
  controllers: [TasksController],
  providers: [
    TaskKeys,
    TaskRepository,
    TaskSignals,
    TaskLifecycleService,
    TaskSubmissionService,
    TaskCommandsService,
    TaskTypeRegistry,
    WorkerRepository,
    HeartbeatConsumer,
    TimerService,
    Dispatcher,
    TaskTimekeeper,
    TaskReportsConsumer,
    OutboxRelay,
  ],
  exports: [TaskKeys, TaskRepository, TaskLifecycleService, TaskSubmissionService, TaskCommandsService, TaskTypeRegistry, WorkerRepository, TimerService, TaskSignals],
})
export class TaskCoreModule {}
