import { Inject, Injectable, Logger } from '@nestjs/common';
import { planningCompletedEvent, type Envelope, type PlanningRequested } from '@autocode/contracts';
import { GitClient, GitError } from '@autocode/git';
import { EventPublisher } from '@autocode/messaging';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { PlannerConfig } from '../config/planner.config';
import { findOpportunities } from './opportunity-finder';

@Injectable()
export class PlannerService {
  private readonly logger = new Logger(PlannerService.name);

  constructor(
    private readonly git: GitClient,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: PlannerConfig,
  ) {}

  async plan(envelope: Envelope<PlanningRequested>): Promise<void> {
    const request = envelope.payload;
    const started = performance.now();
    const reply = { key: request.triggerId, correlationId: request.triggerId, causationId: envelope.id };
    try {
      const commit = await this.git.resolveCommit(request.repository, request.ref);
      const [commits, files] = await Promise.all([
        this.git.commitsSince(request.repository, commit, request.lookbackHours),
        this.git.listFiles(request.repository, commit),
      ]);
      const opportunities = findOpportunities({
        commit,
        commits,
        presentFiles: new Set(files),
        lookbackHours: request.lookbackHours,
        maxFilesPerTask: this.config.PLANNER_MAX_FILES_PER_TASK,
      });
      const changed = new Set(commits.flatMap((c) => c.files)).size;
      const durationMs = performance.now() - started;
      await this.publisher.publish(
        planningCompletedEvent,
        {
          triggerId: request.triggerId,
          repository: request.repository,
          outcome: 'planned',
          commit,
          opportunities,
          stats: { commitsScanned: commits.length, filesChanged: changed, durationMs },
        },
        reply,
      );
      this.metrics.record('planning_run', { duration_ms: durationMs, opportunities: opportunities.length, commits: commits.length, trigger_id: request.triggerId }, { outcome: 'planned' });
      this.logger.log({ msg: 'planned', triggerId: request.triggerId, commit, opportunities: opportunities.length });
    } catch (error) {
      // A repository we cannot read is the requester's problem, not a reason to retry forever.
      if (!(error instanceof GitError)) throw error;
      const durationMs = performance.now() - started;
      await this.publisher.publish(
        planningCompletedEvent,
        {
          triggerId: request.triggerId,
          repository: request.repository,
          outcome: 'failed',
          opportunities: [],
          stats: { commitsScanned: 0, filesChanged: 0, durationMs },
          error: { message: error.message.slice(0, 5000), retryable: false },
        },
        reply,
      );
      this.metrics.record('planning_run', { duration_ms: durationMs, opportunities: 0, commits: 0, trigger_id: request.triggerId }, { outcome: 'failed' });
      this.logger.warn({ msg: 'planning failed', triggerId: request.triggerId, err: error.message });
    }
  }
}
