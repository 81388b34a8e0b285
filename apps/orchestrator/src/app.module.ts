import { type DynamicModule, Module } from '@nestjs/common';
import { apiKeysFromEnv, AuthModule, rateLimitsFromEnv } from '@autocode/auth';
import { PlatformModule } from '@autocode/platform';
import { HealthController } from '@autocode/runtime';
import { WorkerModule, workerOptionsFrom } from '@autocode/worker';
import { AuditModule } from './audit/audit.module';
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
      // Secure by default: a route that declares no role still needs a viewer key; only the health probes are open.
      AuthModule.forRoot(apiKeysFromEnv(config), { defaultRole: 'viewer', publicControllers: [HealthController], rateLimits: rateLimitsFromEnv(config) }),
      AuditModule,
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
