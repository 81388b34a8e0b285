import { Module } from '@nestjs/common';
import { GitClient } from '@autocode/git';
import { PlannerService } from './planner.service';
import { PlanningConsumer } from './planning.consumer';

@Module({
  providers: [{ provide: GitClient, useFactory: () => new GitClient() }, PlannerService, PlanningConsumer],
})
export class PlanningModule {}
