import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@autocode/platform';
import { WorkerModule, workerOptionsFrom } from '@autocode/worker';
import type { OrchestratorConfig } from './config/orchestrator.config';
import { LiveModule } from './live/live.module';
import { QueueModule } from './queue/queue.module';
import { SchedulesModule } from './schedules/schedules.module';
import { TaskCoreModule } from './tasks/task-core.module';
import { TriggersModule } from './triggers/triggers.module';
import { UtilityModule } from './utility/utility.module';
import { WorkflowsModule } from './workflows/workflows.module';

@Module({})
export class AppModule {}

export function orchestratorModule(config: OrchestratorConfig): DynamicModule {
  return {
    module: AppModule,
    imports: [
      PlatformModule.forRoot('orchestrator', config),
      // The orchestrator also works the `utility` pool (delays, HTTP requests, notifications).
      WorkerModule.forRoot(workerOptionsFrom('utility', config)),
      TaskCoreModule,
      WorkflowsModule,
      TriggersModule,
      SchedulesModule,
      QueueModule,
      LiveModule,
      UtilityModule,
    ],
  };
}
