import { Inject, Injectable, Logger } from '@nestjs/common';
import picomatch from 'picomatch';
import {
  candidateGenerators,
  isOpportunityKind,
  OPPORTUNITY_KIND_NAMES,
  type Opportunity,
  type OpportunityKind,
  type PlanOutput,
  type PlanParams,
  type SuppressedOpportunity,
} from '@autocode/contracts';
import { GitError } from '@autocode/git';
import { chooseGenerator, type GeneratorChoice, type GeneratorRecord, KnowledgeBase, OpportunityMemory } from '@autocode/knowledge';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { NonRetryableTaskError, type TaskContext } from '@autocode/worker';
import { RepositoryAnalyzer } from '../analysis/repository-analyzer.service';
import { EMPTY_LAYOUT } from '../analysis/source/project-layout';
import { readProjectLayout } from '../analysis/source/project-layout.reader';
import { TargetRepositoryReader } from '../analysis/source/target-repository.reader';
import type { PlannerConfig } from '../config/planner.config';
import { buildCandidates, type Candidate } from './opportunity-builder';

const HOUR_MS = 3600_000;

/**
 * One planning run: analyse the repository at the planned commit, turn the
 * findings into ranked opportunities, let the knowledge base pick each
 * kind's generator (and hold back kinds that keep failing), and plan only
 * what is not already planned, in flight or rejected recently.
 */
@Injectable()
export class PlannerService {
  private readonly logger = new Logger(PlannerService.name);

  constructor(
    private readonly reader: TargetRepositoryReader,
    private readonly analyzer: RepositoryAnalyzer,
    private readonly knowledge: KnowledgeBase,
    private readonly memory: OpportunityMemory,
    private readonly metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: PlannerConfig,
  ) {}

  async plan(params: PlanParams, context: TaskContext): Promise<PlanOutput> {
    const started = performance.now();
    try {
      const kinds = this.kindsOf(params);
      const commit = await this.reader.resolveCommit(params.repository, params.ref);
      await context.progress(5, `analysing ${commit.slice(0, 8)}`);
      const [commits, tree] = await Promise.all([this.reader.commitsSince(params.repository, commit, params.lookbackHours), this.reader.tree(params.repository, commit)]);
      const analysis = await this.analyzer.analyse({
        repository: params.repository,
        commit,
        tree,
        kinds,
        inScope: scopeOf(params.paths),
        signal: context.signal,
        progress: (percent, message) => context.progress(percent, message),
      });
      await context.progress(85, 'ranking and de-duplicating opportunities');
      // Package names, entry points and aliases: how tests reach modules beyond relative paths.
      const layout = kinds.has('untested-module') || kinds.has('failing-test') ? await readProjectLayout(this.reader, params.repository, tree) : EMPTY_LAYOUT;
      const candidates = buildCandidates({
        repository: params.repository,
        commit,
        lookbackHours: params.lookbackHours,
        commits,
        files: new Set(tree.map((e) => e.path)),
        blobs: new Map(tree.map((e) => [e.path, e.blob])),
        layout,
        analysis: analysis.files,
        coverage: analysis.coverage,
        failedTests: analysis.failedTests,
        vulnerable: analysis.vulnerable,
        regressions: analysis.regressions,
        kinds,
        options: {
          coverageThreshold: this.config.PLANNER_COVERAGE_THRESHOLD,
          coverageMinLines: this.config.PLANNER_COVERAGE_MIN_LINES,
          maxFilesPerTask: this.config.PLANNER_MAX_FILES_PER_TASK,
        },
      });
      const { opportunities, suppressed } = await this.select(candidates, kinds, params, context.taskId);

      const durationMs = performance.now() - started;
      this.metrics.record(
        'planning_run',
        {
          duration_ms: durationMs,
          opportunities: opportunities.length,
          found: candidates.length,
          suppressed: suppressed.length,
          files_analysed: analysis.filesAnalysed,
          cache_hits: analysis.cacheHits,
          commits: commits.length,
          task_id: context.taskId,
        },
        { outcome: 'planned' },
      );
      this.logger.log({ msg: 'planned', taskId: context.taskId, commit, found: candidates.length, opportunities: opportunities.length, suppressed: suppressed.length, durationMs: Math.round(durationMs) });
      return {
        commit,
        opportunities,
        stats: {
          commitsScanned: commits.length,
          filesChanged: new Set(commits.flatMap((c) => c.files)).size,
          durationMs,
          filesAnalysed: analysis.filesAnalysed,
          cacheHits: analysis.cacheHits,
          found: candidates.length,
        },
        analyses: analysis.reports,
        suppressed: suppressed.slice(0, 1000),
      };
    } catch (error) {
      this.metrics.record('planning_run', { duration_ms: performance.now() - started, opportunities: 0, commits: 0, task_id: context.taskId }, { outcome: 'failed' });
      // A repository we cannot read will not become readable by retrying.
      if (error instanceof GitError) throw new NonRetryableTaskError(error.message);
      throw error;
    }
  }

  /** The plan's kinds (all when absent), within the kinds this planner is configured for. */
  private kindsOf(params: PlanParams): Set<OpportunityKind> {
    const unknown = (params.kinds ?? []).filter((k) => !isOpportunityKind(k));
    if (unknown.length) throw new NonRetryableTaskError(`unknown opportunity kind(s) ${unknown.join(', ')}; known: ${OPPORTUNITY_KIND_NAMES.join(', ')}`);
    const allowed = this.config.PLANNER_KINDS.length ? new Set(this.config.PLANNER_KINDS) : undefined;
    const asked = (params.kinds as OpportunityKind[] | undefined) ?? OPPORTUNITY_KIND_NAMES;
    return new Set(asked.filter((k) => !allowed || allowed.has(k)));
  }

  /**
   * Generator per kind (and per restriction: some findings only one of the
   * kind's generators can act on) from the knowledge base, then claims in
   * rank order up to the limit.
   */
  private async select(
    candidates: Candidate[],
    kinds: ReadonlySet<OpportunityKind>,
    params: PlanParams,
    taskId: string,
  ): Promise<{ opportunities: Opportunity[]; suppressed: SuppressedOpportunity[] }> {
    const present = [...new Set(candidates.map((c) => c.kind))].filter((k) => kinds.has(k));
    const records = present.length ? await this.knowledge.records(present) : [];
    const choices = new Map<string, GeneratorChoice>();
    const choiceKey = (c: Candidate) => `${c.kind} ${c.generators?.join(',') ?? '*'}`;
    for (const candidate of candidates) {
      const key = choiceKey(candidate);
      if (choices.has(key)) continue;
      const kind = candidate.kind;
      const candidatesOfKind = candidateGenerators(kind).filter((g) => !this.config.PLANNER_DISABLED_GENERATORS.includes(g) && (!candidate.generators || candidate.generators.includes(g)));
      const byGenerator = new Map<string, GeneratorRecord>(records.filter((r) => r.kind === kind).map((r) => [r.generator, r]));
      const choice = chooseGenerator(candidatesOfKind, byGenerator, {
        stopAfterRejections: this.config.KNOWLEDGE_STOP_AFTER_REJECTIONS,
        stopCooldownMs: this.config.KNOWLEDGE_STOP_COOLDOWN_HOURS * HOUR_MS,
      });
      choices.set(key, choice);
      if (choice.stopped) this.logger.warn({ msg: 'kind stopped by the knowledge base', kind, reason: choice.reason });
    }

    const suppressed: SuppressedOpportunity[] = [];
    const eligible: Array<Candidate & { generator: string }> = [];
    for (const candidate of candidates) {
      const choice = choices.get(choiceKey(candidate))!;
      const note = { fingerprint: candidate.fingerprint, kind: candidate.kind, files: candidate.files.slice(0, 20) };
      if (!choice.generator) suppressed.push({ ...note, reason: 'no-generator' });
      else if (choice.stopped) suppressed.push({ ...note, reason: 'kind-stopped' });
      else eligible.push({ ...candidate, generator: choice.generator });
    }

    const verdicts = await this.memory.claim(eligible, {
      taskId,
      limit: params.maxOpportunities ?? this.config.PLANNER_MAX_OPPORTUNITIES,
      windows: {
        plannedMs: this.config.PLANNER_INFLIGHT_HOURS * HOUR_MS,
        validatedMs: this.config.PLANNER_VALIDATED_HOURS * HOUR_MS,
        rejectedMs: this.config.PLANNER_REJECTED_HOURS * HOUR_MS,
      },
    });
    const opportunities: Opportunity[] = [];
    eligible.forEach((candidate, i) => {
      const verdict = verdicts[i];
      if (verdict === 'claimed') {
        opportunities.push({
          fingerprint: candidate.fingerprint,
          kind: candidate.kind,
          title: candidate.title,
          description: candidate.description,
          priority: candidate.priority,
          files: candidate.files.slice(0, 500),
          generator: candidate.generator,
        });
      } else {
        suppressed.push({ fingerprint: candidate.fingerprint, kind: candidate.kind, files: candidate.files.slice(0, 20), reason: verdict });
      }
    });
    return { opportunities, suppressed };
  }
}

/** A plan's `paths`: directory or file prefixes, or globs. */
function scopeOf(paths: string[] | undefined): (path: string) => boolean {
  if (!paths?.length) return () => true;
  const globs = paths.filter((p) => /[*?[\]{}]/.test(p));
  const prefixes = paths.filter((p) => !globs.includes(p)).map((p) => p.replace(/\/+$/, ''));
  const glob = globs.length ? picomatch(globs, { dot: true }) : () => false;
  return (path) => glob(path) || prefixes.some((p) => path === p || path.startsWith(`${p}/`));
}
