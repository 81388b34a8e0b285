import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@autocode/platform';
import type { OrchestratorConfig } from './config/orchestrator.config';
import { PipelineModule } from './pipeline/pipeline.module';
import { TasksModule } from './tasks/tasks.module';
import { TriggersModule } from './triggers/triggers.module';

@Module({})
export class AppModule {}

export function orchestratorModule(config: OrchestratorConfig): DynamicModule {
  return {
    module: AppModule,
    imports: [PlatformModule.forRoot('orchestrator', config), TasksModule, TriggersModule, PipelineModule],
  };
}
