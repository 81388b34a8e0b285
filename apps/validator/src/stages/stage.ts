import type { EphemeralWorkspace } from '@autocode/sandbox';
import type { CheckKind } from '@autocode/workspace-runtime';
import type { StageName } from '../config/validator.config';
import type { ValidationSection } from '../repository/validation-config';
import type { ChangedFile } from '../workspace/unified-diff';

export interface StageContext {
  /** The tree the change was made against, untouched: the baseline. */
  base: EphemeralWorkspace;
  /** The same tree with the patch applied. */
  patched: EphemeralWorkspace;
  diff: string;
  changes: ChangedFile[];
  section: ValidationSection;
  timeoutMs: number;
  signal: AbortSignal;
  /** The task's repository and base commit (what a baseline is kept for). */
  repository: string;
  commit: string;
  /** Filled by the repository-checks stage, which runs first. */
  repositoryChecks: RepositoryChecksSeen;
}

/**
 * Kinds of the repository's own checks (test, typecheck, lint …): the ones
 * its package.json has, and the ones that judged this change (passed
 * without it). A built-in stage that would do the same job with the mesh's
 * tools steps aside for them.
 */
export interface RepositoryChecksSeen {
  discovered: Set<CheckKind>;
  judged: Set<CheckKind>;
}

/**
 * What a stage found. `not-applicable` skips (nothing of that kind changed,
 * the repository has no benchmark) do not count against a required stage;
 * any other skip of a required stage fails the validation — a skipped stage
 * is never a pass.
 */
export type StageOutcome =
  | { status: 'passed' | 'failed'; summary: string; findings: string[] }
  | { status: 'skipped'; summary: string; findings: string[]; notApplicable: boolean; cannotValidate?: boolean };

export interface ValidationStage {
  readonly name: StageName;
  run(context: StageContext): Promise<StageOutcome>;
}

/** The injection token of the ordered list of stages that run after apply and protected-paths. */
export const VALIDATION_STAGES = Symbol('VALIDATION_STAGES');

export const passed = (summary: string, findings: string[] = []): StageOutcome => ({ status: 'passed', summary, findings });
export const failed = (summary: string, findings: string[] = []): StageOutcome => ({ status: 'failed', summary, findings });
export const notApplicable = (summary: string): StageOutcome => ({ status: 'skipped', summary, findings: [], notApplicable: true });
/** The change could not be judged for a reason that is not its own (dependencies, environment): the verdict is cannot-validate. */
export const cannotValidate = (summary: string, findings: string[] = []): StageOutcome => ({ status: 'skipped', summary, findings, notApplicable: false, cannotValidate: true });
export const couldNotRun = (summary: string, findings: string[] = []): StageOutcome => ({ status: 'skipped', summary, findings, notApplicable: false });

/** Counts of `items` by key; what `after` has more of than `before` is new. */
export function newFindings<T>(before: T[], after: T[], key: (item: T) => string): T[] {
  const counts = new Map<string, number>();
  for (const item of before) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  const added: T[] = [];
  for (const item of after) {
    const k = key(item);
    const left = counts.get(k) ?? 0;
    if (left > 0) counts.set(k, left - 1);
    else added.push(item);
  }
  return added;
}

export function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
