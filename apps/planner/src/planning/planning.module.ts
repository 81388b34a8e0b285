import { Module, type OnModuleInit } from '@nestjs/common';
import { GitClient } from '@autocode/git';
import { builtInTaskHandler, WorkerRuntime } from '@autocode/worker';
import { PlannerService } from './planner.service';

@Module({
  providers: [{ provide: GitClient, useFactory: () => new GitClient() }, PlannerService],
})
export class PlanningModule implements OnModuleInit {
  constructor(
    private readonly worker: WorkerRuntime,
    private readonly planner: PlannerService,
  ) {}

  onModuleInit(): void {
    this.worker.register(builtInTaskHandler('plan', (params, context) => this.planner.plan(params, context)));
  }
}
