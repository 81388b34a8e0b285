import { Injectable, Logger } from '@nestjs/common';
import type { ValidateOutput, ValidateParams, ValidationStageReport } from '@autocode/contracts';
import { GitClient, GitError } from '@autocode/git';
import { MetricsWriter } from '@autocode/metrics';
import type { TaskContext } from '@autocode/worker';

/** Stages the pipeline will run; those without a checker yet report `skipped`, never `passed`. */
const PENDING_STAGES = ['syntax', 'unit-tests', 'static-analysis', 'security', 'performance', 'ai-review'];

@Injectable()
export class ValidationService {
  private readonly logger = new Logger(ValidationService.name);

  constructor(
    private readonly git: GitClient,
    private readonly metrics: MetricsWriter,
  ) {}

  async validate(params: ValidateParams, context: TaskContext): Promise<ValidateOutput> {
    const started = performance.now();
    const stages: ValidationStageReport[] = [];
    const empty = params.patch.diff.length === 0;

    if (empty) {
      for (const name of ['apply', ...PENDING_STAGES]) stages.push(skipped(name, 'empty patch: nothing to check'));
    } else {
      stages.push(await this.checkApplies(params));
      for (const name of PENDING_STAGES) stages.push(skipped(name, 'no checker for this stage yet'));
    }

    const verdict = empty ? 'nothing-to-validate' : stages.some((s) => s.required && s.status !== 'passed') ? 'failed' : 'passed';
    const durationMs = performance.now() - started;
    for (const stage of stages) {
      this.metrics.record('validation_stage', { duration_ms: stage.durationMs, task_id: context.taskId }, { stage: stage.name, status: stage.status });
    }
    this.metrics.record('validation_run', { duration_ms: durationMs, task_id: context.taskId }, { verdict });
    this.logger.log({ msg: 'validated', taskId: context.taskId, verdict });
    return { verdict, stages, durationMs };
  }

  private async checkApplies(params: ValidateParams): Promise<ValidationStageReport> {
    const started = performance.now();
    try {
      await this.git.withWorktree(params.repository, params.commit, (dir) =>
        this.git.execWithInput(dir, ['apply', '--check', '--whitespace=nowarn', '-'], params.patch.diff),
      );
      return { name: 'apply', status: 'passed', required: true, durationMs: performance.now() - started, summary: `patch applies to ${params.commit.slice(0, 8)}`, findings: [] };
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      return { name: 'apply', status: 'failed', required: true, durationMs: performance.now() - started, summary: 'patch does not apply', findings: [error.message] };
    }
  }
}

function skipped(name: string, summary: string): ValidationStageReport {
  return { name, status: 'skipped', required: false, durationMs: 0, summary, findings: [] };
}
