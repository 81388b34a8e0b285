import { Inject, Injectable, Logger } from '@nestjs/common';
import { validationStageReportSchema, type JsonValue, type ValidateOutput, type ValidateParams, type ValidationStageReport } from '@autocode/contracts';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { WorkspaceManager, type EphemeralWorkspace } from '@autocode/sandbox';
import { PROTECTED_PATHS_STAGE } from '@autocode/validation-record';
import { NonRetryableTaskError, type TaskContext } from '@autocode/worker';
import type { StageName, ValidatorConfig } from '../config/validator.config';
import { ValidationConfigReader } from '../repository/repository-config.reader';
import { requiredStages, ValidationConfigError, type ValidationSection } from '../repository/validation-config';
import type { CheckKind } from '@autocode/workspace-runtime';
import { ProtectedPathsStage } from '../stages/protected-paths.stage';
import { VALIDATION_STAGES, type StageContext, type StageOutcome, type ValidationStage } from '../stages/stage';
import { parseUnifiedDiff } from '../workspace/unified-diff';

const MAX_FINDING_CHARS = 2000;
/** The validate output's feedback: at most this many entries (the schema's bound). */
const MAX_FEEDBACK_ENTRIES = 100;

/**
 * The validation pipeline: the patch is applied to a fresh checkout (next
 * to an unpatched one, the baseline), then syntax and types, unit tests,
 * static analysis, security, performance and AI review run in that order,
 * each with its time limit and report. Stages that ran are kept in the
 * task's checkpoint, so a retried validation does not redo them.
 */
@Injectable()
export class ValidationService {
  private readonly logger = new Logger(ValidationService.name);
  constructor(
    private readonly workspaces: WorkspaceManager,
    private readonly configs: ValidationConfigReader,
    private readonly metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: ValidatorConfig,
    @Inject(VALIDATION_STAGES) private readonly stages: ValidationStage[],
    private readonly protectedPaths: ProtectedPathsStage,
  ) {}

  async validate(params: ValidateParams, context: TaskContext): Promise<ValidateOutput> {
    const started = performance.now();
    if (params.patch.diff.length === 0) {
      const stages = ['apply', PROTECTED_PATHS_STAGE, ...this.stages.map((s) => s.name)].map((name) => report(name, false, 0, { status: 'skipped', summary: 'empty patch: nothing to check', findings: [], notApplicable: true }));
      return this.finish(params, context, stages, 'nothing-to-validate', started);
    }
    const done = resumedStages(context.checkpoint);
    const base = await this.workspaces.create(params.repository, params.commit);
    let patched: EphemeralWorkspace | undefined;
    try {
      let section: ValidationSection;
      try {
        section = await this.configs.read(base);
      } catch (error) {
        if (error instanceof ValidationConfigError) throw new NonRetryableTaskError(error.message);
        throw error;
      }
      const required = requiredStages(this.config.VALIDATOR_REQUIRED_STAGES, section);
      patched = await this.workspaces.create(params.repository, params.commit);
      const applyStarted = performance.now();
      const applies = await patched.checkPatch(params.patch.diff);
      if (!applies.applies) {
        const stages = [
          report('apply', true, performance.now() - applyStarted, { status: 'failed', summary: `the patch does not apply to ${params.commit.slice(0, 12)}`, findings: [applies.reason] }),
          ...[PROTECTED_PATHS_STAGE, ...this.stages.map((s) => s.name)].map((name) => report(name, false, 0, { status: 'skipped', summary: 'the patch does not apply', findings: [], notApplicable: true })),
        ];
        return this.finish(params, context, stages, 'failed', started);
      }
      const reports: ValidationStageReport[] = [report('apply', true, performance.now() - applyStarted, { status: 'passed', summary: `the patch applies to ${params.commit.slice(0, 12)}`, findings: [] })];
      // Always required, and first: a patch that rewrites its own judge or deployer is not run at all.
      const guardStarted = performance.now();
      const guard = await this.protectedPaths.run(params.patch.diff, section, await this.configs.hookCommands(base));
      reports.push(report(PROTECTED_PATHS_STAGE, true, performance.now() - guardStarted, guard));
      if (guard.status !== 'passed') {
        reports.push(...this.stages.map((s) => report(s.name, false, 0, { status: 'skipped', summary: 'the patch touches a protected path', findings: [], notApplicable: true })));
        return this.finish(params, context, reports, 'failed', started);
      }
      await patched.applyPatch(params.patch.diff);
      const repositoryChecks = { discovered: new Set<CheckKind>(), judged: new Set<CheckKind>() };
      const stageContext = (name: StageName): StageContext => ({
        base,
        patched: patched!,
        diff: params.patch.diff,
        changes: parseUnifiedDiff(params.patch.diff),
        section,
        timeoutMs: section.timeouts[name] ?? this.defaultTimeout(name),
        signal: context.signal,
        repository: params.repository,
        commit: params.commit,
        repositoryChecks,
      });

      for (const [index, stage] of this.stages.entries()) {
        // repository-checks always runs again (its baselines are cached, its tree is warm): the built-in stages after it
        // need to know which kinds of check it judged, which its stored report does not say.
        const resumed = stage.name === 'repository-checks' ? undefined : done.get(stage.name);
        if (resumed) {
          reports.push(resumed);
          continue;
        }
        await context.progress(Math.round((index / this.stages.length) * 100), `validating: ${stage.name}`);
        const stageStarted = performance.now();
        let outcome: StageOutcome;
        try {
          outcome = await stage.run(stageContext(stage.name));
        } catch (error) {
          context.signal.throwIfAborted();
          // A stage that crashed could not judge the change: skipped (never passed), and a required one fails the validation.
          outcome = { status: 'skipped', summary: `the ${stage.name} check crashed: ${(error as Error).message}`, findings: [], notApplicable: false };
          this.logger.error({ msg: 'validation stage crashed', stage: stage.name, taskId: context.taskId, err: error as Error });
        }
        reports.push(report(stage.name, required.has(stage.name), performance.now() - stageStarted, outcome));
        await context.progress(Math.round(((index + 1) / this.stages.length) * 100), `validated: ${stage.name} ${outcome.status}`, { stages: reports.slice(1) as unknown as JsonValue });
      }
      return this.finish(params, context, reports, verdictOf(reports), started);
    } finally {
      await Promise.all([base.remove(), patched?.remove()]);
    }
  }

  private finish(params: ValidateParams, context: TaskContext, stages: ValidationStageReport[], verdict: ValidateOutput['verdict'], started: number): ValidateOutput {
    const durationMs = performance.now() - started;
    for (const stage of stages) {
      this.metrics.record(
        'validation_stage',
        { duration_ms: stage.durationMs, findings: stage.findings.length, task_id: context.taskId },
        { stage: stage.name, status: stage.status, required: String(stage.required) },
      );
    }
    this.metrics.record('validation_run', { duration_ms: durationMs, task_id: context.taskId, files_changed: params.patch.filesChanged }, { verdict });
    this.logger.log({ msg: 'validated', taskId: context.taskId, verdict, failed: stages.filter((s) => s.status === 'failed').map((s) => s.name) });
    return { verdict, stages, durationMs, feedback: feedbackOf(stages) };
  }

  private defaultTimeout(name: StageName): number {
    const c = this.config;
    return {
      // Per check: each of the repository's checks runs once on each tree with this limit.
      'repository-checks': c.VALIDATOR_TESTS_TIMEOUT_MS,
      syntax: c.VALIDATOR_SYNTAX_TIMEOUT_MS,
      'unit-tests': c.VALIDATOR_TESTS_TIMEOUT_MS,
      'static-analysis': c.VALIDATOR_LINT_TIMEOUT_MS,
      security: c.VALIDATOR_LINT_TIMEOUT_MS,
      performance: c.VALIDATOR_BENCHMARK_TIMEOUT_MS,
      'ai-review': c.VALIDATOR_AI_REVIEW_TIMEOUT_MS,
    }[name];
  }
}

/**
 * A stage's report. `required` says whether it counts towards the verdict:
 * a configured-required stage that did not apply to this change (nothing of
 * its kind changed) does not; one that could not run does — as a failure.
 */
function report(name: string, required: boolean, durationMs: number, outcome: StageOutcome): ValidationStageReport {
  return {
    name,
    status: outcome.status,
    required: required && !(outcome.status === 'skipped' && outcome.notApplicable),
    durationMs: Math.round(durationMs * 10) / 10,
    summary: outcome.summary.slice(0, 2000),
    findings: outcome.findings.slice(0, 500).map((f) => f.slice(0, MAX_FINDING_CHARS)),
    ...(outcome.status === 'skipped' && outcome.cannotValidate ? { cannotValidate: true } : {}),
  };
}

/**
 * A required stage that failed fails the change; when the only required
 * stages short of a pass are ones that could not judge it for a reason not
 * its own (dependencies, environment), nobody can say: cannot-validate. Any
 * other skip of a required stage (a crash) still fails it.
 */
export function verdictOf(reports: ValidationStageReport[]): ValidateOutput['verdict'] {
  const short = reports.filter((s) => s.required && s.status !== 'passed');
  if (short.length === 0) return 'passed';
  return short.every((s) => s.status === 'skipped' && s.cannotValidate) ? 'cannot-validate' : 'failed';
}

/**
 * What the next generation round is told (the improvement workflow passes
 * it on): every failed stage's summary and findings, "stage: finding",
 * bounded like the output schema.
 */
export function feedbackOf(reports: ValidationStageReport[]): string[] {
  const entries: string[] = [];
  for (const stage of reports.filter((s) => s.status === 'failed')) {
    entries.push(`${stage.name}: ${stage.summary}`);
    for (const finding of stage.findings) entries.push(`${stage.name}: ${finding}`);
  }
  return entries.slice(0, MAX_FEEDBACK_ENTRIES).map((entry) => entry.slice(0, MAX_FINDING_CHARS));
}

function resumedStages(checkpoint: JsonValue | null): Map<string, ValidationStageReport> {
  const stages = (checkpoint as { stages?: unknown } | null)?.stages;
  const out = new Map<string, ValidationStageReport>();
  if (!Array.isArray(stages)) return out;
  for (const raw of stages) {
    const parsed = validationStageReportSchema.safeParse(raw);
    if (parsed.success) out.set(parsed.data.name, parsed.data);
  }
  return out;
}
