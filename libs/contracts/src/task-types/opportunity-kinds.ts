import type { TaskPriority } from '../task/task-priority';

/**
 * The kinds of improvement the planner looks for, how urgent each is, and
 * which generator handles it by default. The planner and the generation
 * nodes both read this table, so a kind is never planned for a generator
 * that does not exist.
 *
 * Ranking (SPEC F-30): CRITICAL bugs, vulnerabilities and failing tests;
 * HIGH performance and important refactors; MEDIUM features and
 * documentation; LOW cleanup.
 */
export const OPPORTUNITY_KINDS = {
  'failing-test': { priority: 'CRITICAL', generator: 'llm', alternatives: [], description: 'a test of the repository fails' },
  'vulnerable-dependency': { priority: 'CRITICAL', generator: 'llm', alternatives: [], description: 'a dependency has a known vulnerability' },
  'security-finding': { priority: 'CRITICAL', generator: 'llm', alternatives: [], description: 'static analysis found a security problem' },
  'performance-regression': { priority: 'HIGH', generator: 'llm', alternatives: [], description: 'error rates or latency got worse (from InfluxDB)' },
  'complexity-hotspot': { priority: 'HIGH', generator: 'llm', alternatives: [], description: 'a function is too complex' },
  'low-coverage': { priority: 'HIGH', generator: 'test-scaffold', alternatives: ['llm'], description: 'coverage of a module is low' },
  'undocumented-export': { priority: 'MEDIUM', generator: 'doc-comments', alternatives: ['llm'], description: 'exported functions or classes lack documentation' },
  'untested-module': { priority: 'MEDIUM', generator: 'test-scaffold', alternatives: ['llm'], description: 'a source module has no tests' },
  'lint-finding': { priority: 'LOW', generator: 'lint-autofix', alternatives: ['llm'], description: 'ESLint reports fixable problems' },
  'unused-imports': { priority: 'LOW', generator: 'organize-imports', alternatives: ['llm'], description: 'a module imports what it does not use' },
  'unformatted-file': { priority: 'LOW', generator: 'format', alternatives: [], description: 'a file is not formatted' },
  'recent-changes': { priority: 'LOW', generator: 'noop', alternatives: [], description: 'files changed recently, for review' },
} as const satisfies Record<
  string,
  {
    priority: TaskPriority;
    /** The default generator. */
    generator: string;
    /**
     * Other generators that can handle the kind. The planner picks among
     * `generator` and these by their record in the knowledge base
     * (`@autocode/knowledge`); without records, the default wins.
     */
    alternatives: readonly string[];
    description: string;
  }
>;

export type OpportunityKind = keyof typeof OPPORTUNITY_KINDS;

/** Generators that need no model: deterministic, and always available on a generation node. */
export const DETERMINISTIC_GENERATORS = ['lint-autofix', 'format', 'organize-imports', 'doc-comments', 'test-scaffold', 'noop'] as const;

/** Kinds in ranking order: by priority, then as listed in the table (the planner's tie-break). */
export const OPPORTUNITY_KIND_NAMES = Object.keys(OPPORTUNITY_KINDS) as OpportunityKind[];

/** The generators that can handle `kind`, the default first. */
export function candidateGenerators(kind: OpportunityKind): string[] {
  const entry = OPPORTUNITY_KINDS[kind];
  return [entry.generator, ...entry.alternatives];
}

export function isOpportunityKind(kind: string): kind is OpportunityKind {
  return Object.prototype.hasOwnProperty.call(OPPORTUNITY_KINDS, kind);
}
