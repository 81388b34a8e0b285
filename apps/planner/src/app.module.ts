import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@autocode/platform';
import { WorkerModule, workerOptionsFrom } from '@autocode/worker';
import { LintFormatToolsModule } from './analysis/tools/lint-format-tools.module';
import type { PlannerConfig } from './config/planner.config';
import { PlanningModule } from './planning/planning.module';

@Module({})
export class AppModule {}

export function plannerModule(config: PlannerConfig): DynamicModule {
  return {
    module: AppModule,
    imports: [PlatformModule.forRoot('planner', config), WorkerModule.forRoot(workerOptionsFrom('planning', config)), LintFormatToolsModule, PlanningModule],
  };
}
