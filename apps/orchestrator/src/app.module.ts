import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@autocode/platform';
import type { OrchestratorConfig } from './config/orchestrator.config';
import { CycleModule } from './cycle/cycle.module';
import { LiveModule } from './live/live.module';
import { QueueModule } from './queue/queue.module';
import { SchedulesModule } from './schedules/schedules.module';
import { TaskCoreModule } from './tasks/task-core.module';
import { TriggersModule } from './triggers/triggers.module';

@Module({})
export class AppModule {}

export function orchestratorModule(config: OrchestratorConfig): DynamicModule {
  return {
    module: AppModule,
    imports: [PlatformModule.forRoot('orchestrator', config), TaskCoreModule, TriggersModule, SchedulesModule, CycleModule, QueueModule, LiveModule],
  };
}
