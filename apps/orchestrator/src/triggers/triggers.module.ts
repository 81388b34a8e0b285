import { Module } from '@nestjs/common';
import { RepositoryPolicy } from '@autocode/git';
import { TaskCoreModule } from '../tasks/task-core.module';
import { WorkflowsModule } from '../workflows/workflows.module';
import { FileWatchTrigger } from './file-watch.trigger';
import { TriggerConsumer } from './trigger.consumer';
import { TriggerController } from './trigger.controller';
import { TriggerRepository } from './trigger.repository';
import { TriggerService } from './trigger.service';

@Module({
  imports: [TaskCoreModule, WorkflowsModule],
  controllers: [TriggerController],
  providers: [
    // REPOSITORY_ALLOWED_SCHEMES / _HOSTS / _ROOTS and EGRESS_ALLOW, checked when the module starts.
    { provide: RepositoryPolicy, useFactory: () => RepositoryPolicy.fromEnv() },
    TriggerRepository,
    TriggerService,
    TriggerConsumer,
    FileWatchTrigger,
  ],
  exports: [TriggerRepository, TriggerService],
})
export class TriggersModule {}
