import { Injectable, Logger } from '@nestjs/common';
import {
  validationCompletedEvent,
  type Envelope,
  type ValidationRequested,
  type ValidationStageReport,
} from '@autocode/contracts';
import { GitClient, GitError } from '@autocode/git';
import { EventPublisher } from '@autocode/messaging';
import { MetricsWriter } from '@autocode/metrics';

/** Stages the pipeline will run; those without a checker yet report `skipped`, never `passed`. */
const PENDING_STAGES = ['syntax', 'unit-tests', 'static-analysis', 'security', 'performance', 'ai-review'];

@Injectable()
export class ValidationService {
  private readonly logger = new Logger(ValidationService.name);

  constructor(
    private readonly git: GitClient,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsWriter,
  ) {}

  async validate(envelope: Envelope<ValidationRequested>): Promise<void> {
    const request = envelope.payload;
    const started = performance.now();
    const stages: ValidationStageReport[] = [];

    if (request.patch.diff.length === 0) {
      for (const name of ['apply', ...PENDING_STAGES]) stages.push(skipped(name, 'empty patch: nothing to check'));
    } else {
      stages.push(await this.checkApplies(request));
      for (const name of PENDING_STAGES) stages.push(skipped(name, 'no checker for this stage yet'));
    }

    const verdict =
      request.patch.diff.length === 0
        ? 'nothing-to-validate'
        : stages.some((s) => s.required && s.status !== 'passed')
          ? 'failed'
          : 'passed';
    const durationMs = performance.now() - started;
    await this.publisher.publish(
      validationCompletedEvent,
      { taskId: request.taskId, attempt: request.attempt, verdict, stages, durationMs },
      { key: request.taskId, correlationId: request.taskId, causationId: envelope.id },
    );
    for (const stage of stages) {
      this.metrics.record('validation_stage', { duration_ms: stage.durationMs, task_id: request.taskId }, { stage: stage.name, status: stage.status });
    }
    this.metrics.record('validation_run', { duration_ms: durationMs, task_id: request.taskId }, { verdict });
    this.logger.log({ msg: 'validated', taskId: request.taskId, attempt: request.attempt, verdict });
  }

  private async checkApplies(request: ValidationRequested): Promise<ValidationStageReport> {
    const started = performance.now();
    try {
      await this.git.withWorktree(request.repository, request.commit, (dir) =>
        this.git.execWithInput(dir, ['apply', '--check', '--whitespace=nowarn', '-'], request.patch.diff),
      );
      return { name: 'apply', status: 'passed', required: true, durationMs: performance.now() - started, summary: `patch applies to ${request.commit.slice(0, 8)}`, findings: [] };
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      return { name: 'apply', status: 'failed', required: true, durationMs: performance.now() - started, summary: 'patch does not apply', findings: [error.message] };
    }
  }
}

function skipped(name: string, summary: string): ValidationStageReport {
  return { name, status: 'skipped', required: false, durationMs: 0, summary, findings: [] };
}
