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
  'failing-test': { priority: 'CRITICAL', generator: 'llm', description: 'a test of the repository fails' },
  'vulnerable-dependency': { priority: 'CRITICAL', generator: 'llm', description: 'a dependency has a known vulnerability' },
  'security-finding': { priority: 'CRITICAL', generator: 'llm', description: 'static analysis found a security problem' },
  'performance-regression': { priority: 'HIGH', generator: 'llm', description: 'error rates or latency got worse (from InfluxDB)' },
  'complexity-hotspot': { priority: 'HIGH', generator: 'llm', description: 'a function is too complex' },
  'low-coverage': { priority: 'HIGH', generator: 'test-scaffold', description: 'coverage of a module is low' },
  'undocumented-export': { priority: 'MEDIUM', generator: 'doc-comments', description: 'exported functions or classes lack documentation' },
  'untested-module': { priority: 'MEDIUM', generator: 'test-scaffold', description: 'a source module has no tests' },
  'lint-finding': { priority: 'LOW', generator: 'lint-autofix', description: 'ESLint reports fixable problems' },
  'unused-imports': { priority: 'LOW', generator: 'organize-imports', description: 'a module imports what it does not use' },
  'unformatted-file': { priority: 'LOW', generator: 'format', description: 'a file is not formatted' },
  'recent-changes': { priority: 'LOW', generator: 'noop', description: 'files changed recently, for review' },
} as const satisfies Record<string, { priority: TaskPriority; generator: string; description: string }>;

export type OpportunityKind = keyof typeof OPPORTUNITY_KINDS;

/** Generators that need no model: deterministic, and always available on a generation node. */
export const DETERMINISTIC_GENERATORS = ['lint-autofix', 'format', 'organize-imports', 'doc-comments', 'test-scaffold', 'noop'] as const;
