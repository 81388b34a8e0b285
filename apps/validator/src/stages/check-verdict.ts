import type { CheckKind, CheckResult, DiscoveredCheck } from '@autocode/workspace-runtime';

/** Lines of a check's output kept in a finding (the runtime keeps the last 60; the failure is usually at the end). */
const EXCERPT_LINES = 25;

/**
 * What one of the repository's own checks says about a change (SPEC F-46):
 * only a check that passed without the change can fail it; a check that
 * fails (or cannot run) without the change judges nothing and is reported;
 * one that cannot run with the change leaves the patch unjudged.
 */
export type CheckVerdict =
  | 'holds' // passed before and after
  | 'broken' // passed before, fails after
  | 'script-removed' // passed before; the change deletes the script
  | 'failing-at-baseline'
  | 'cannot-run-at-baseline'
  | 'cannot-validate'; // passed before, cannot run after

export interface JudgedCheck {
  check: Pick<DiscoveredCheck, 'name' | 'kind' | 'display'>;
  before: CheckResult;
  /** Absent when the baseline already decided (failing or not runnable before the change). */
  after?: CheckResult;
  /** The baseline result came from the cache: nothing ran on the base commit for this check. */
  baselineCached: boolean;
  /** Whether the patched package.json still has the script. */
  scriptKept: boolean;
}

export function checkVerdict(judged: JudgedCheck): CheckVerdict {
  if (judged.before.status === 'failed') return 'failing-at-baseline';
  if (judged.before.status === 'cannot-run') return 'cannot-run-at-baseline';
  if (!judged.after) throw new Error(`check ${judged.check.name} passed at baseline but was not run with the change`);
  if (judged.after.status === 'passed') return 'holds';
  if (!judged.scriptKept) return 'script-removed';
  return judged.after.status === 'failed' ? 'broken' : 'cannot-validate';
}

/** Whether the check needs a run on the patched tree (only one that passed at baseline can judge the change). */
export function judgesTheChange(before: CheckResult): boolean {
  return before.status === 'passed';
}

export interface ChecksSummary {
  outcome: 'failed' | 'cannot-validate' | 'passed' | 'nothing-judged';
  summary: string;
  findings: string[];
  /** Kinds of check that judged the change (passed at baseline and ran with it). */
  judgedKinds: Set<CheckKind>;
  baselineReused: number;
}

/** The stage's outcome over all checks: a broken check fails it; otherwise one that could not run leaves it unjudged. */
export function summarizeChecks(checks: JudgedCheck[]): ChecksSummary {
  const verdicts = checks.map((c) => ({ ...c, verdict: checkVerdict(c) }));
  const of = (...wanted: CheckVerdict[]) => verdicts.filter((v) => wanted.includes(v.verdict));
  const broken = of('broken', 'script-removed');
  const unjudged = of('cannot-validate');
  const holding = of('holds');
  const baselineReused = checks.filter((c) => c.baselineCached).length;
  const judgedKinds = new Set<CheckKind>([...holding, ...broken, ...unjudged].map((c) => c.check.kind));

  const findings = [
    ...broken.map((c) =>
      c.verdict === 'script-removed'
        ? `${c.check.name}: passed before the change; the change removes the script`
        : `${c.check.name} (\`${c.check.display}\`) passed before the change and fails with it:\n${excerpt(c.after!)}`,
    ),
    ...unjudged.map((c) => `${c.check.name}: cannot run with the change (${c.after!.reason ?? 'unknown reason'}):\n${excerpt(c.after!)}`),
    ...of('failing-at-baseline').map((c) => `${c.check.name}: failing at baseline, not counted:\n${excerpt(c.before, 8)}`),
    ...of('cannot-run-at-baseline').map((c) => `${c.check.name}: cannot run at baseline (${c.before.reason ?? 'unknown reason'}), not counted`),
    ...holding.map((c) => `${c.check.name}: passes with and without the change`),
  ];
  const baseline = `baseline reused for ${baselineReused} of ${checks.length} check(s)`;
  const names = (list: typeof verdicts) => list.map((c) => c.check.name).join(', ');
  const reported = of('failing-at-baseline', 'cannot-run-at-baseline');
  const notCounted = reported.length ? `; not counted (failing or not runnable at baseline): ${names(reported)}` : '';
  if (broken.length) return { outcome: 'failed', summary: `the change breaks the repository's ${names(broken)} (passed without it)${notCounted}; ${baseline}`, findings, judgedKinds, baselineReused };
  if (unjudged.length) return { outcome: 'cannot-validate', summary: `cannot validate: ${names(unjudged)} could not run with the change${notCounted}; ${baseline}`, findings, judgedKinds, baselineReused };
  if (holding.length) return { outcome: 'passed', summary: `the repository's checks pass with the change: ${names(holding)}${notCounted}; ${baseline}`, findings, judgedKinds, baselineReused };
  return { outcome: 'nothing-judged', summary: `none of the repository's checks can judge the change${notCounted}; ${baseline}`, findings, judgedKinds, baselineReused };
}

function excerpt(result: CheckResult, lines = EXCERPT_LINES): string {
  return result.excerpt.trim().split('\n').slice(-lines).join('\n');
}
