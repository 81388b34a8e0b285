import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PlanOutput, PlanParams } from '@autocode/contracts';
import { GitClient, GitError } from '@autocode/git';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { NonRetryableTaskError, type TaskContext } from '@autocode/worker';
import type { PlannerConfig } from '../config/planner.config';
import { findOpportunities } from './opportunity-finder';

@Injectable()
export class PlannerService {
  private readonly logger = new Logger(PlannerService.name);

  constructor(
    private readonly git: GitClient,
    private readonly metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: PlannerConfig,
  ) {}

  async plan(params: PlanParams, context: TaskContext): Promise<PlanOutput> {
    const started = performance.now();
    try {
      const commit = await this.git.resolveCommit(params.repository, params.ref);
      await context.progress(10, `analysing ${commit.slice(0, 8)}`);
      const [commits, files] = await Promise.all([
        this.git.commitsSince(params.repository, commit, params.lookbackHours),
        this.git.listFiles(params.repository, commit),
      ]);
      const opportunities = findOpportunities({
        commit,
        commits,
        presentFiles: new Set(files),
        lookbackHours: params.lookbackHours,
        maxFilesPerTask: this.config.PLANNER_MAX_FILES_PER_TASK,
      });
      const durationMs = performance.now() - started;
      this.metrics.record(
        'planning_run',
        { duration_ms: durationMs, opportunities: opportunities.length, commits: commits.length, task_id: context.taskId },
        { outcome: 'planned' },
      );
      this.logger.log({ msg: 'planned', taskId: context.taskId, commit, opportunities: opportunities.length });
      return { commit, opportunities, stats: { commitsScanned: commits.length, filesChanged: new Set(commits.flatMap((c) => c.files)).size, durationMs } };
    } catch (error) {
      this.metrics.record('planning_run', { duration_ms: performance.now() - started, opportunities: 0, commits: 0, task_id: context.taskId }, { outcome: 'failed' });
      // A repository we cannot read will not become readable by retrying.
      if (error instanceof GitError) throw new NonRetryableTaskError(error.message);
      throw error;
    }
  }
}
