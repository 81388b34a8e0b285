import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import picomatch from 'picomatch';
import type { OpportunityKind, PlanAnalysisReport } from '@autocode/contracts';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { NonRetryableTaskError } from '@autocode/worker';
import type { PlannerConfig } from '../config/planner.config';
import { dependenciesOf, type InstalledDependency, matchAdvisories, type OsvAdvisory, parseAdvisories, type VulnerableDependency } from './dependencies/advisory.matcher';
import { AppMetricsRepository } from './metrics/app-metrics.repository';
import { detectRegressions, type Regression } from './metrics/regression-detector';
import { type FileCoverage, mergeByFile, parseCoverageSummary, parseLcov } from './reports/coverage-report.parser';
import { RepoPaths } from './reports/repo-paths';
import { type FailedTest, parseJestJson, parseJunitXml } from './reports/test-report.parser';
import type { FileAnalysis } from './source/file-analysis';
import { FileAnalysisCache } from './source/file-analysis.cache';
import { analyseSourceText } from './source/source-facts.analyser';
import { isAnalysableSource, isTestFile } from './source/source-files';
import { TargetRepositoryReader, type TreeEntry } from './source/target-repository.reader';
import { TOOL_CONFIG_FILE } from '@autocode/workspace-runtime';
import { MESH_NODE_MODULES } from './tools/lint-format.client';
import { RepositoryToolsAnalysis, type RepositoryToolsOutcome } from './tools/repository-tools.analysis';

/** Bump when an analyser changes what it reports: every cached per-file result is then recomputed. */
const ANALYSIS_VERSION = 'file-analysis/3';
/** Lockfiles pin the tools' versions: a change of them changes what the tools report. */
const LOCKFILE = /^(package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|yarn\.lock|\.nvmrc|\.node-version)$/;
const MAX_REPORT_BYTES = 32 * 1024 * 1024;
/** Bigger sources are generated or bundled code, not the repository's to improve. */
const MAX_SOURCE_BYTES = 512 * 1024;
const KINDS_NEEDING_FACTS: OpportunityKind[] = ['complexity-hotspot', 'undocumented-export', 'unused-imports', 'untested-module', 'failing-test'];

export interface AnalysisRequest {
  repository: string;
  commit: string;
  tree: TreeEntry[];
  kinds: ReadonlySet<OpportunityKind>;
  /** Only these files are analysed (a plan's `paths`). */
  inScope: (path: string) => boolean;
  signal: AbortSignal;
  progress: (percent: number, message: string) => Promise<void>;
}

export interface AnalysisResult {
  files: Map<string, FileAnalysis>;
  coverage: FileCoverage[];
  failedTests: FailedTest[];
  vulnerable: VulnerableDependency[];
  regressions: Regression[];
  reports: PlanAnalysisReport[];
  filesAnalysed: number;
  cacheHits: number;
}

/** Runs every analysis of a planning run over the repository at one commit. */
@Injectable()
export class RepositoryAnalyzer {
  private readonly logger = new Logger(RepositoryAnalyzer.name);

  constructor(
    private readonly reader: TargetRepositoryReader,
    private readonly cache: FileAnalysisCache,
    private readonly appMetrics: AppMetricsRepository,
    /** The repository's own ESLint and formatter, from its prepared dependencies, in the sandbox. */
    private readonly tools: RepositoryToolsAnalysis,
    @Inject(SERVICE_CONFIG) private readonly config: PlannerConfig,
  ) {}

  async analyse(request: AnalysisRequest): Promise<AnalysisResult> {
    const reports: PlanAnalysisReport[] = [];
    const paths = new RepoPaths(request.tree.map((e) => e.path));
    const sources = request.tree.filter((e) => isAnalysableSource(e.path) && e.size <= MAX_SOURCE_BYTES && request.inScope(e.path));
    if (sources.length > this.config.PLANNER_MAX_SOURCE_FILES) {
      throw new NonRetryableTaskError(`the repository has ${sources.length} source files, more than PLANNER_MAX_SOURCE_FILES (${this.config.PLANNER_MAX_SOURCE_FILES}); narrow the plan with "paths"`);
    }

    const sourceStep = await this.analyseSources(request, sources, reports);
    await request.progress(70, 'reading reports, advisories and metrics');
    this.throwIfAborted(request.signal);

    const [coverage, failedTests, vulnerable, regressions] = await Promise.all([
      request.kinds.has('low-coverage') || request.kinds.has('untested-module')
        ? this.timed(reports, 'coverage-reports', () => this.readCoverage(request, paths))
        : this.skip(reports, 'coverage-reports', [] as FileCoverage[]),
      request.kinds.has('failing-test') ? this.timed(reports, 'test-reports', () => this.readTestReports(request, paths)) : this.skip(reports, 'test-reports', [] as FailedTest[]),
      request.kinds.has('vulnerable-dependency') ? this.timed(reports, 'dependency-advisories', () => this.checkDependencies(request)) : this.skip(reports, 'dependency-advisories', [] as VulnerableDependency[]),
      request.kinds.has('performance-regression') ? this.timed(reports, 'application-metrics', () => this.readMetrics()) : this.skip(reports, 'application-metrics', [] as Regression[]),
    ]);
    return { ...sourceStep, coverage, failedTests, vulnerable, regressions, reports: reports.sort((a, b) => a.name.localeCompare(b.name)) };
  }

  // ---------------------------------------------------------------- sources

  private async analyseSources(
    request: AnalysisRequest,
    sources: TreeEntry[],
    reports: PlanAnalysisReport[],
  ): Promise<{ files: Map<string, FileAnalysis>; filesAnalysed: number; cacheHits: number }> {
    const started = performance.now();
    const wantFacts = KINDS_NEEDING_FACTS.some((k) => request.kinds.has(k));
    const wantLint = request.kinds.has('lint-finding') || request.kinds.has('security-finding');
    const wantFormat = request.kinds.has('unformatted-file');
    const configHash = this.toolConfigHash(request.tree);

    if (!wantFacts && !wantLint && !wantFormat) {
      // Nothing per file to learn: no cache look-ups, no checkout.
      const files = new Map(sources.map((e) => [e.path, { facts: null, lint: null, formatted: null } as FileAnalysis]));
      reports.push(
        { name: 'syntax-tree', status: 'skipped', durationMs: 0, findings: 0, detail: 'no requested kind needs it' },
        { name: 'eslint', status: 'skipped', durationMs: 0, findings: 0, detail: 'no requested kind needs it' },
        { name: 'format-check', status: 'skipped', durationMs: 0, findings: 0, detail: 'no requested kind needs it' },
      );
      return { files, filesAnalysed: 0, cacheHits: 0 };
    }

    const keyOf = (entry: TreeEntry) =>
      createHash('sha256').update([ANALYSIS_VERSION, configHash, this.config.PLANNER_COMPLEXITY_THRESHOLD, entry.path, entry.blob].join('\u0000')).digest('hex');
    const keys = sources.map(keyOf);
    const cached = await this.cache.getMany(keys);
    const files = new Map<string, FileAnalysis>();
    const misses: Array<{ entry: TreeEntry; key: string; previous?: FileAnalysis }> = [];
    sources.forEach((entry, i) => {
      const hit = cached[i];
      const complete = hit && (!wantFacts || hit.facts) && (!wantLint || hit.lint) && (!wantFormat || hit.formatted !== null);
      if (complete) files.set(entry.path, hit);
      else misses.push({ entry, key: keys[i], previous: hit });
    });
    const cacheHits = sources.length - misses.length;
    await request.progress(15, `${sources.length} source files, ${cacheHits} unchanged since an earlier analysis`);

    let outcome: RepositoryToolsOutcome | undefined;
    if (misses.length > 0) {
      await this.reader.withCheckout(request.repository, request.commit, MESH_NODE_MODULES, async (dir) => {
        // ESLint and Prettier run in child processes while this process parses: the two overlap.
        const stopTools = new AbortController();
        const onStop = () => stopTools.abort(request.signal.reason);
        request.signal.addEventListener('abort', onStop, { once: true });
        const tools = wantLint || wantFormat ? this.tools.run(dir, misses.map((m) => m.entry.path), { lint: wantLint, format: wantFormat }, stopTools.signal) : undefined;
        // Settled whatever happens below, so an early exit leaves no unhandled rejection.
        tools?.catch(() => undefined);
        const fresh = new Map<string, FileAnalysis>();
        const texts = new Map<string, string>();
        try {
          let done = 0;
          for (const { entry, previous } of misses) {
            this.throwIfAborted(request.signal);
            const text = await readFile(join(dir, entry.path), 'utf8');
            texts.set(entry.path, text);
            const facts = wantFacts ? analyseSourceText(entry.path, text, { complexityThreshold: this.config.PLANNER_COMPLEXITY_THRESHOLD }) : (previous?.facts ?? null);
            fresh.set(entry.path, { facts, lint: previous?.lint ?? null, formatted: previous?.formatted ?? null });
            done += 1;
            // Parsing is CPU work: give the event loop (heartbeats, Kafka) a turn now and then.
            if (done % 25 === 0) {
              await new Promise((resolve) => setImmediate(resolve));
              if (done % 250 === 0) await request.progress(15 + Math.round((25 * done) / misses.length), `parsed ${done} of ${misses.length} changed files`);
            }
          }
          if (tools) {
            await request.progress(40, `linting${wantFormat ? ' and format-checking' : ''} ${misses.length} files`);
            outcome = await tools;
            const { selection, result } = outcome;
            // Ran, or the repository does not use the tool (nothing to find): an answer. Otherwise (it failed, or the
            // repository's tool cannot run) the part stays null: no findings now, looked at again next time.
            const lintKnown = wantLint && !result.eslint.error && (selection.eslint !== 'off' || selection.eslintNotUsed);
            const formatKnown = wantFormat && !result.format.error && (selection.formatter !== 'off' || selection.formatterNotUsed);
            for (const [path, analysis] of fresh) {
              if (lintKnown) {
                // No entry: the configuration ignores the file, so it has no findings.
                const lines = (texts.get(path) ?? '').split('\n');
                analysis.lint = (result.eslint.results[path] ?? []).map((m) => ({ ...m, source: (lines[m.line - 1] ?? '').trim().slice(0, 200) }));
              }
              // A file the formatter ignores (or has no parser for): checked, nothing to say.
              if (formatKnown) analysis.formatted = result.format.results[path] ?? true;
            }
          }
        } finally {
          stopTools.abort();
          request.signal.removeEventListener('abort', onStop);
        }
        for (const [path, analysis] of fresh) files.set(path, analysis);
        // Cache what is complete; a part that failed stays null and is retried next time.
        await this.cache.setMany(
          misses.map(({ entry, key }) => ({ key, analysis: fresh.get(entry.path)! })),
          this.config.PLANNER_CACHE_TTL_HOURS * 3600,
        );
      });
    }

    const elapsed = performance.now() - started;
    const count = (pick: (a: FileAnalysis) => number) => [...files.values()].reduce((sum, a) => sum + pick(a), 0);
    const cacheDetail = `${sources.length} files, ${cacheHits} from cache`;
    reports.push(
      wantFacts
        ? {
            name: 'syntax-tree',
            status: 'ran',
            durationMs: elapsed,
            findings: count((a) => (a.facts ? a.facts.complexFunctions.length + a.facts.undocumentedExports.length + a.facts.unusedImports.length : 0)),
            detail: `${cacheDetail}; complexity threshold ${this.config.PLANNER_COMPLEXITY_THRESHOLD}`,
          }
        : { name: 'syntax-tree', status: 'skipped', durationMs: 0, findings: 0, detail: 'no requested kind needs it' },
    );
    reports.push(
      this.toolReport('eslint', wantLint, outcome?.result.eslint.error, outcome ? (outcome.selection.eslint !== 'off' ? undefined : outcome.selection.eslintSkipped) : undefined, outcome?.eslintDetail, {
        elapsed,
        cacheDetail,
        findings: count((a) => a.lint?.length ?? 0),
      }),
      this.toolReport('format-check', wantFormat, outcome?.result.format.error, outcome ? (outcome.selection.formatter !== 'off' ? undefined : outcome.selection.formatSkipped) : undefined, outcome?.formatDetail, {
        elapsed,
        cacheDetail,
        findings: count((a) => (a.formatted === false ? 1 : 0)),
      }),
    );
    return { files, filesAnalysed: sources.length, cacheHits };
  }

  /** ran (with what), skipped (why: not used, cannot run), or failed; every file from cache: ran, from cache. */
  private toolReport(
    name: string,
    wanted: boolean,
    error: string | undefined,
    skipped: string | undefined,
    detail: string | undefined,
    counts: { elapsed: number; cacheDetail: string; findings: number },
  ): PlanAnalysisReport {
    if (!wanted) return { name, status: 'skipped', durationMs: 0, findings: 0, detail: 'no requested kind needs it' };
    if (error) return { name, status: 'failed', durationMs: counts.elapsed, findings: 0, detail: error.slice(0, 2000) };
    if (skipped) return { name, status: 'skipped', durationMs: counts.elapsed, findings: 0, detail: skipped.slice(0, 2000) };
    return { name, status: 'ran', durationMs: counts.elapsed, findings: counts.findings, detail: `${counts.cacheDetail}${detail ? `; with ${detail}` : ''}`.slice(0, 2000) };
  }

  /** Changes of the tools' configuration or versions (config files, package.json, lockfiles, autocode.yaml) invalidate their cached findings. */
  private toolConfigHash(tree: TreeEntry[]): string {
    const parts = tree.filter((e) => !e.path.includes('node_modules/') && (TOOL_CONFIG_FILE.test(e.path) || LOCKFILE.test(e.path))).map((e) => `${e.path}:${e.blob}`);
    return createHash('sha256').update(parts.sort().join('\n')).digest('hex');
  }

  // ---------------------------------------------------------------- reports

  /** Report files matching `globs`: in the repository at the commit, and in PLANNER_REPORTS_DIR. */
  private async reportFiles(request: AnalysisRequest, globs: string[]): Promise<Array<{ name: string; text: () => Promise<string> }>> {
    const match = picomatch(globs, { dot: true });
    const found: Array<{ name: string; text: () => Promise<string> }> = [];
    for (const entry of request.tree) {
      if (entry.path.includes('node_modules/') || !match(entry.path)) continue;
      found.push({ name: entry.path, text: () => this.reader.readBlob(request.repository, entry.blob) });
    }
    const dir = this.config.PLANNER_REPORTS_DIR;
    if (dir) {
      const names = (await readdir(dir, { recursive: true }).catch(() => [] as string[])).map((n) => n.split('\\').join('/'));
      for (const name of names.filter((n) => !n.includes('node_modules/') && match(n)).slice(0, 200)) {
        const path = join(dir, name);
        found.push({
          name: path,
          text: async () => {
            if ((await stat(path)).size > MAX_REPORT_BYTES) throw new Error(`${path} is larger than ${MAX_REPORT_BYTES} bytes`);
            return readFile(path, 'utf8');
          },
        });
      }
    }
    return found;
  }

  private async readCoverage(request: AnalysisRequest, paths: RepoPaths): Promise<{ value: FileCoverage[]; detail: string; findings: number; skipped?: boolean }> {
    const files = await this.reportFiles(request, this.config.PLANNER_COVERAGE_REPORTS);
    if (files.length === 0) return { value: [], detail: `no coverage report matches ${this.config.PLANNER_COVERAGE_REPORTS.join(', ')}`, findings: 0, skipped: true };
    const all: FileCoverage[] = [];
    const problems: string[] = [];
    for (const file of files) {
      try {
        const text = await file.text();
        all.push(...(file.name.endsWith('.json') ? parseCoverageSummary(text, paths) : parseLcov(text, paths)));
      } catch (error) {
        problems.push(`${file.name}: ${(error as Error).message}`);
      }
    }
    const merged = mergeByFile(all).filter((c) => request.inScope(c.file));
    const low = merged.filter((c) => !isTestFile(c.file) && c.linesFound >= this.config.PLANNER_COVERAGE_MIN_LINES && (100 * c.linesHit) / c.linesFound < this.config.PLANNER_COVERAGE_THRESHOLD).length;
    return { value: merged, detail: `${files.map((f) => f.name).join(', ')}: ${merged.length} files${problems.length ? `; unreadable: ${problems.join('; ')}` : ''}`, findings: low };
  }

  private async readTestReports(request: AnalysisRequest, paths: RepoPaths): Promise<{ value: FailedTest[]; detail: string; findings: number; skipped?: boolean }> {
    const files = await this.reportFiles(request, this.config.PLANNER_TEST_REPORTS);
    if (files.length === 0) return { value: [], detail: `no test report matches ${this.config.PLANNER_TEST_REPORTS.join(', ')}`, findings: 0, skipped: true };
    const failed: FailedTest[] = [];
    const problems: string[] = [];
    for (const file of files) {
      try {
        const text = await file.text();
        failed.push(...(file.name.endsWith('.json') ? parseJestJson(text, paths, isTestFile) : parseJunitXml(text, paths, isTestFile)));
      } catch (error) {
        problems.push(`${file.name}: ${(error as Error).message}`);
      }
    }
    const inScope = failed.filter((f) => !f.file || request.inScope(f.file));
    return { value: inScope, detail: `${files.map((f) => f.name).join(', ')}: ${inScope.length} failed${problems.length ? `; unreadable: ${problems.join('; ')}` : ''}`, findings: inScope.length };
  }

  private async checkDependencies(request: AnalysisRequest): Promise<{ value: VulnerableDependency[]; detail: string; findings: number; skipped?: boolean }> {
    const advisories: OsvAdvisory[] = [];
    const sources: string[] = [];
    const problems: string[] = [];
    for (const location of this.config.PLANNER_ADVISORY_FILES) {
      try {
        let text: string | undefined;
        if (isAbsolute(location)) text = await readFile(location, 'utf8');
        else {
          const entry = request.tree.find((e) => e.path === location);
          if (entry) text = await this.reader.readBlob(request.repository, entry.blob);
        }
        if (text === undefined) continue;
        advisories.push(...parseAdvisories(text));
        sources.push(location);
      } catch (error) {
        problems.push(`${location}: ${(error as Error).message}`);
      }
    }
    if (sources.length === 0) {
      const why = problems.length ? `unreadable: ${problems.join('; ')}` : `no advisory file at ${this.config.PLANNER_ADVISORY_FILES.join(', ') || '(none configured)'}`;
      return { value: [], detail: `${why} (PLANNER_ADVISORY_FILES)`, findings: 0, skipped: true };
    }
    const byPath = new Map(request.tree.map((e) => [e.path, e]));
    const dependencies: InstalledDependency[] = [];
    const manifests = request.tree.filter((e) => /(^|\/)package\.json$/.test(e.path) && !e.path.includes('node_modules/'));
    for (const manifest of manifests) {
      const dir = manifest.path.includes('/') ? manifest.path.slice(0, manifest.path.lastIndexOf('/') + 1) : '';
      const lock = byPath.get(`${dir}package-lock.json`) ?? byPath.get(`${dir}npm-shrinkwrap.json`);
      try {
        const manifestText = await this.reader.readBlob(request.repository, manifest.blob);
        const lockText = lock ? await this.reader.readBlob(request.repository, lock.blob) : undefined;
        dependencies.push(...dependenciesOf(manifest.path, manifestText, lock && lockText !== undefined ? { path: lock.path, text: lockText } : undefined));
      } catch (error) {
        problems.push(`${manifest.path}: ${(error as Error).message}`);
      }
    }
    const vulnerable = matchAdvisories(dependencies, advisories);
    return {
      value: vulnerable,
      detail: `${advisories.length} advisories from ${sources.join(', ')}; ${dependencies.length} dependencies of ${manifests.length} manifests${problems.length ? `; unreadable: ${problems.join('; ')}` : ''}`,
      findings: vulnerable.length,
    };
  }

  private async readMetrics(): Promise<{ value: Regression[]; detail: string; findings: number }> {
    const { recent, baseline } = await this.appMetrics.windows();
    const regressions = detectRegressions(recent, baseline, {
      errorRate: this.config.PLANNER_ERROR_RATE_THRESHOLD,
      latencyFactor: this.config.PLANNER_LATENCY_FACTOR,
      minRequests: this.config.PLANNER_METRICS_MIN_REQUESTS,
    });
    return {
      value: regressions,
      detail: `${this.appMetrics.source}: ${recent.length} operations in the last ${this.config.PLANNER_METRICS_WINDOW_MINUTES} min, ${baseline.length} in the baseline`,
      findings: regressions.length,
    };
  }

  // ---------------------------------------------------------------- helpers

  /** Runs one analysis; its failure is reported, not thrown: the other analyses still count. */
  private async timed<T>(reports: PlanAnalysisReport[], name: string, run: () => Promise<{ value: T; detail: string; findings: number; skipped?: boolean }>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      reports.push({ name, status: result.skipped ? 'skipped' : 'ran', durationMs: performance.now() - started, findings: result.findings, detail: result.detail.slice(0, 2000) });
      return result.value;
    } catch (error) {
      this.logger.warn({ msg: 'analysis failed', analysis: name, error: (error as Error).message });
      reports.push({ name, status: 'failed', durationMs: performance.now() - started, findings: 0, detail: (error as Error).message.slice(0, 2000) });
      return [] as unknown as T;
    }
  }

  private async skip<T>(reports: PlanAnalysisReport[], name: string, value: T): Promise<T> {
    reports.push({ name, status: 'skipped', durationMs: 0, findings: 0, detail: 'no requested kind needs it' });
    return value;
  }

  private throwIfAborted(signal: AbortSignal): void {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('planning was stopped');
  }
}
