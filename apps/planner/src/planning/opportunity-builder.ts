import { createHash } from 'node:crypto';
import {
  OPPORTUNITY_KIND_NAMES,
  OPPORTUNITY_KINDS,
  type OpportunityKind,
  priorityRank,
  type TaskPriority,
} from '@autocode/contracts';
import type { CommitSummary } from '@autocode/git';
import type { VulnerableDependency } from '../analysis/dependencies/advisory.matcher';
import type { Regression } from '../analysis/metrics/regression-detector';
import { type FileCoverage, linePercent } from '../analysis/reports/coverage-report.parser';
import type { FailedTest } from '../analysis/reports/test-report.parser';
import type { FileAnalysis } from '../analysis/source/file-analysis';
import { findUntestedModules, ModuleResolver } from '../analysis/source/module-graph';
import type { ProjectLayout } from '../analysis/source/project-layout';
import { isAnalysableSource, isProductModule, isTypeScript } from '../analysis/source/source-files';

/** An opportunity before the knowledge base picks its generator and the memory lets it through. */
export interface Candidate {
  kind: OpportunityKind;
  priority: TaskPriority;
  fingerprint: string;
  title: string;
  description: string;
  files: string[];
  /** Within a kind, bigger first (findings, complexity, coverage gap …). */
  weight: number;
  /** Touches a file changed in the look-back window. */
  recent: boolean;
  /**
   * The content of its files at the planned commit (their blob ids,
   * hashed): a finding that ended without a change is planned again once
   * this changes, not before.
   */
  inputHash: string;
  /** Only these of the kind's generators can do anything with it (all of them when absent). */
  generators?: string[];
}

export interface BuildInput {
  repository: string;
  commit: string;
  lookbackHours: number;
  commits: CommitSummary[];
  /** Every tracked file at the commit. */
  files: ReadonlySet<string>;
  /** Blob id (content hash) of each tracked file. */
  blobs?: ReadonlyMap<string, string>;
  /** Package names, entry points and path aliases, for what tests import. */
  layout?: ProjectLayout;
  analysis: ReadonlyMap<string, FileAnalysis>;
  coverage: FileCoverage[];
  failedTests: FailedTest[];
  vulnerable: VulnerableDependency[];
  regressions: Regression[];
  kinds: ReadonlySet<OpportunityKind>;
  options: {
    coverageThreshold: number;
    coverageMinLines: number;
    maxFilesPerTask: number;
  };
}

/** ESLint rules whose findings are security problems rather than style. */
const SECURITY_RULES = new Set(['no-eval', 'no-implied-eval', 'no-new-func', 'no-script-url', '@typescript-eslint/no-implied-eval']);
const SECURITY_PLUGINS = /^(security|security-node|@microsoft\/sdl|no-unsanitized|xss)\//;

export function isSecurityRule(ruleId: string | null): boolean {
  return Boolean(ruleId && (SECURITY_RULES.has(ruleId) || SECURITY_PLUGINS.test(ruleId)));
}

/**
 * Stable across commits: the repository, the kind, the files and the
 * finding's content — never line numbers, which shift with unrelated edits.
 */
export function fingerprintOf(repository: string, kind: string, files: readonly string[], content: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of [repository, kind, ...files, '--', ...content]) hash.update(part).update('\u0000');
  return hash.digest('hex').slice(0, 32);
}

/**
 * Who can document these exports. Without a model, doc-comments adds only
 * what the type checker knows and a JavaScript function does not say:
 * its parameter and return types. A TypeScript signature already has them
 * and a class has none, so those need a model (`llm`); where none is
 * configured they are not planned (suppressed as `no-generator`).
 */
function documentationGenerators(file: string, undocumented: ReadonlyArray<{ kind: 'function' | 'class' }>): string[] | undefined {
  if (!isTypeScript(file) && undocumented.some((e) => e.kind === 'function')) return undefined;
  return ['llm'];
}

/** The opportunity's files' contents at the commit, in one hash (empty without files). */
export function inputHashOf(files: readonly string[], blobs: ReadonlyMap<string, string> | undefined): string {
  if (files.length === 0) return '';
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\u0000').update(blobs?.get(file) ?? '-').update('\u0000');
  return hash.digest('hex').slice(0, 32);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Turns the analyses into one candidate per finding group (mostly: per file and kind), ranked. */
export function buildCandidates(input: BuildInput): Candidate[] {
  const changed = new Set(input.commits.flatMap((c) => c.files));
  const resolver = new ModuleResolver(input.files, input.layout);
  const out: Candidate[] = [];
  const add = (kind: OpportunityKind, files: string[], content: string[], title: string, description: string, weight: number, generators?: string[]) => {
    if (!input.kinds.has(kind)) return;
    out.push({
      ...(generators ? { generators } : {}),
      inputHash: inputHashOf(files, input.blobs),
      kind,
      priority: OPPORTUNITY_KINDS[kind].priority,
      fingerprint: fingerprintOf(input.repository, kind, files, content),
      title: clip(title, 300),
      description: clip(description, 5000),
      files,
      weight,
      recent: files.some((f) => changed.has(f)),
    });
  };

  for (const [file, analysis] of input.analysis) {
    const lint = analysis.lint ?? [];
    const security = lint.filter((m) => isSecurityRule(m.ruleId));
    const style = lint.filter((m) => !isSecurityRule(m.ruleId) && m.ruleId);
    const describe = (messages: typeof lint) => messages.map((m) => `${m.ruleId} (line ${m.line}): ${m.message}`).join('\n');
    const contentOf = (messages: typeof lint) => [...new Set(messages.map((m) => `${m.ruleId}\u0001${m.message}\u0001${m.source}`))].sort();
    if (security.length) {
      const rules = [...new Set(security.map((m) => m.ruleId))].join(', ');
      add('security-finding', [file], contentOf(security), `Fix ${plural(security.length, 'security finding')} in ${file}: ${rules}`, describe(security), security.length);
    }
    // Only what ESLint's own fixer can fix is planned: the rest would end as no change (kept as facts in the analysis).
    const fixable = style.filter((m) => m.fixable);
    if (fixable.length) {
      const unfixable = style.filter((m) => !m.fixable);
      const rest = unfixable.length ? `\nNot fixable automatically (not part of this change):\n${describe(unfixable)}` : '';
      add(
        'lint-finding',
        [file],
        contentOf(fixable),
        `Fix ${plural(fixable.length, 'ESLint finding')} in ${file}`,
        `${plural(fixable.length, 'finding')} ESLint can fix automatically:\n${describe(fixable)}${rest}`,
        fixable.length,
      );
    }
    if (analysis.formatted === false) {
      add('unformatted-file', [file], [], `Format ${file}`, `Prettier (with the repository's configuration) would reformat ${file}.`, 1);
    }
    const facts = analysis.facts;
    if (!facts) continue;
    if (facts.unusedImports.length) {
      const names = facts.unusedImports.map((u) => u.name);
      add(
        'unused-imports',
        [file],
        facts.unusedImports.map((u) => `${u.name}\u0001${u.from}`).sort(),
        `Remove unused ${names.length === 1 ? 'import' : 'imports'} ${names.join(', ')} from ${file}`,
        facts.unusedImports.map((u) => `${u.name} from '${u.from}' (line ${u.line})`).join('\n'),
        names.length,
      );
    }
    if (!isProductModule(file)) continue;
    if (facts.complexFunctions.length) {
      const [worst] = facts.complexFunctions;
      add(
        'complexity-hotspot',
        [file],
        facts.complexFunctions.map((f) => f.name).sort(),
        `Simplify ${worst.name} in ${file} (cyclomatic complexity ${worst.complexity})`,
        facts.complexFunctions.map((f) => `${f.name} (line ${f.line}): cyclomatic complexity ${f.complexity}`).join('\n'),
        worst.complexity,
      );
    }
    if (facts.undocumentedExports.length) {
      const names = facts.undocumentedExports.map((e) => e.name);
      add(
        'undocumented-export',
        [file],
        [...names].sort(),
        `Document ${plural(names.length, 'export')} of ${file}: ${names.join(', ')}`,
        facts.undocumentedExports.map((e) => `${e.kind} ${e.name} (line ${e.line}) has no doc comment`).join('\n'),
        names.length,
        documentationGenerators(file, facts.undocumentedExports),
      );
    }
  }

  if (input.kinds.has('untested-module')) {
    const facts = new Map([...input.analysis].filter(([, a]) => a.facts).map(([file, a]) => [file, a.facts!]));
    const covered = new Set(input.coverage.filter((c) => c.linesHit > 0).map((c) => c.file));
    for (const file of findUntestedModules({ files: input.files, facts, covered, layout: input.layout })) {
      const exports = facts.get(file)?.exportCount ?? 0;
      add(
        'untested-module',
        [file],
        [],
        `Add tests for ${file}`,
        `No test reaches ${file} (${plural(exports, 'export')}): none imports it (by a relative path, the package's own name or a path alias) or imports a module that re-exports or imports it, none is named after it, and no coverage report shows it run.`,
        exports,
      );
    }
  }

  for (const coverage of input.coverage) {
    const percent = linePercent(coverage);
    if (!isProductModule(coverage.file) || !input.files.has(coverage.file)) continue;
    if (coverage.linesFound < input.options.coverageMinLines || percent >= input.options.coverageThreshold) continue;
    const functions = coverage.uncoveredFunctions.length ? `\nNever called: ${coverage.uncoveredFunctions.join(', ')}.` : '';
    add(
      'low-coverage',
      [coverage.file],
      [],
      `Raise test coverage of ${coverage.file} (${percent.toFixed(0)}% of lines)`,
      `${coverage.linesHit} of ${coverage.linesFound} lines covered (threshold ${input.options.coverageThreshold}%); ${coverage.functionsHit} of ${coverage.functionsFound} functions.${functions}`,
      input.options.coverageThreshold - percent,
    );
  }

  const byTestFile = new Map<string, FailedTest[]>();
  for (const failure of input.failedTests) {
    const key = failure.file ?? '';
    byTestFile.set(key, [...(byTestFile.get(key) ?? []), failure]);
  }
  for (const [testFile, failures] of byTestFile) {
    if (testFile && !input.files.has(testFile)) continue; // a stale report about a test that is gone
    // The modules the test imports are where the bug most likely is.
    const imports = testFile ? (input.analysis.get(testFile)?.facts?.relativeImports ?? []) : [];
    const subjects = [...new Set(imports.flatMap((s) => resolver.resolve(testFile, s)))].filter(isProductModule);
    const files = [...(testFile ? [testFile] : []), ...subjects].slice(0, input.options.maxFilesPerTask);
    const names = [...new Set(failures.map((f) => f.name))].sort();
    add(
      'failing-test',
      files,
      names,
      `Fix ${plural(names.length, 'failing test')}${testFile ? ` in ${testFile}` : ''}: ${names[0]}`,
      failures.map((f) => `${f.name}\n${f.message}`).join('\n\n'),
      names.length,
    );
  }

  const severityRank: Record<string, number> = { CRITICAL: 4, HIGH: 3, MODERATE: 2, MEDIUM: 2, LOW: 1 };
  for (const { dependency, advisories } of input.vulnerable) {
    const files = [dependency.manifest, ...(dependency.lockfile ? [dependency.lockfile] : [])];
    const fixed = advisories.map((a) => a.fixedIn).filter((v): v is string => Boolean(v)).sort().pop();
    add(
      'vulnerable-dependency',
      files,
      [`${dependency.name}@${dependency.version}`, ...advisories.map((a) => a.id)],
      `Upgrade ${dependency.name} ${dependency.version}${fixed ? ` to ${fixed} or later` : ''} (${advisories.map((a) => a.id).join(', ')})`,
      [
        `${dependency.direct ? 'Direct' : 'Transitive'} dependency of ${dependency.manifest}${dependency.lockfile ? `, locked in ${dependency.lockfile}` : ''}.`,
        ...advisories.map((a) => `${a.id}${a.aliases.length ? ` (${a.aliases.join(', ')})` : ''}${a.severity ? ` [${a.severity}]` : ''}: ${a.summary}${a.fixedIn ? ` — fixed in ${a.fixedIn}` : ''}`),
      ].join('\n'),
      Math.max(...advisories.map((a) => severityRank[a.severity?.toUpperCase() ?? ''] ?? 1)) + (dependency.direct ? 0.5 : 0),
    );
  }

  for (const regression of input.regressions) {
    const files = regression.file && input.files.has(regression.file) ? [regression.file] : [];
    add(
      'performance-regression',
      files,
      [regression.operation, regression.file ?? '', regression.signal],
      `${regression.signal === 'error-rate' ? 'Error rate' : 'Latency'} of ${regression.operation} went up${files.length ? ` (${files[0]})` : ''}`,
      regression.summary,
      regression.signal === 'error-rate' ? 2 : 1,
    );
  }

  if (input.kinds.has('recent-changes')) {
    const sources = [...changed].filter((f) => isAnalysableSource(f) && input.files.has(f) && input.analysis.has(f)).sort();
    if (sources.length) {
      const files = sources.slice(0, input.options.maxFilesPerTask);
      const history = input.commits.map((c) => `${c.sha.slice(0, 8)} ${c.subject}`).slice(0, 20).join('; ');
      add('recent-changes', files, [input.commit], `Review ${plural(files.length, 'source file')} changed in the last ${input.lookbackHours}h`, `Commits: ${history}`, files.length);
    }
  }

  return rank(out);
}

const KIND_ORDER = new Map(OPPORTUNITY_KIND_NAMES.map((kind, i) => [kind, i]));

/** CRITICAL → HIGH → MEDIUM → LOW; within a priority the kinds' table order, then recently changed first, then weight, then path. */
export function rank(candidates: Candidate[]): Candidate[] {
  return [...candidates].sort(
    (a, b) =>
      priorityRank(a.priority) - priorityRank(b.priority) ||
      KIND_ORDER.get(a.kind)! - KIND_ORDER.get(b.kind)! ||
      Number(b.recent) - Number(a.recent) ||
      b.weight - a.weight ||
      (a.files[0] ?? '').localeCompare(b.files[0] ?? '') ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
}

