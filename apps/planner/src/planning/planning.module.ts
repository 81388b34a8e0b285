import { Module, type OnModuleInit } from '@nestjs/common';
import { GitClient } from '@autocode/git';
import { KnowledgeModule } from '@autocode/knowledge';
import { builtInTaskHandler, WorkerRuntime } from '@autocode/worker';
import { AppMetricsRepository } from '../analysis/metrics/app-metrics.repository';
import { RepositoryAnalyzer } from '../analysis/repository-analyzer.service';
import { FileAnalysisCache } from '../analysis/source/file-analysis.cache';
import { TargetRepositoryReader } from '../analysis/source/target-repository.reader';
import { PlannerService } from './planner.service';

@Module({
  imports: [KnowledgeModule],
  providers: [
    { provide: GitClient, useFactory: () => new GitClient() },
    TargetRepositoryReader,
    FileAnalysisCache,
    AppMetricsRepository,
    RepositoryAnalyzer,
    PlannerService,
  ],
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
