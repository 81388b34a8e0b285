import type { CheckResult } from '@autocode/workspace-runtime';
import type { ValidationStageReport } from '@autocode/contracts';
import { feedbackOf, verdictOf } from '../validation/validation.service';
import { checkVerdict, summarizeChecks, type JudgedCheck } from './check-verdict';

const result = (status: CheckResult['status'], excerpt = '', reason?: string): CheckResult => ({ check: 'x', status, exitCode: status === 'passed' ? 0 : 1, durationMs: 5, excerpt, reason });
const judged = (name: string, before: CheckResult, after?: CheckResult, extra: Partial<JudgedCheck> = {}): JudgedCheck => ({
  check: { name, kind: name === 'lint' ? 'lint' : 'test', display: `npm run ${name}` },
  before,
  after,
  baselineCached: false,
  scriptKept: true,
  ...extra,
});
const stage = (name: string, status: ValidationStageReport['status'], extra: Partial<ValidationStageReport> = {}): ValidationStageReport => ({ name, status, required: true, durationMs: 1, summary: `${name} said so`, findings: [], ...extra });

describe('check verdicts', () => {
  it.each([
    ['passed before and after', judged('test', result('passed'), result('passed')), 'holds'],
    ['passed before, failed after', judged('test', result('passed'), result('failed')), 'broken'],
    ['passed before, cannot run after', judged('test', result('passed'), result('cannot-run')), 'cannot-validate'],
    ['passed before, the script removed', judged('test', result('passed'), result('cannot-run'), { scriptKept: false }), 'script-removed'],
    ['failing at baseline', judged('test', result('failed')), 'failing-at-baseline'],
    ['not runnable at baseline', judged('test', result('cannot-run')), 'cannot-run-at-baseline'],
  ])('%s', (_label, check, verdict) => {
    expect(checkVerdict(check)).toBe(verdict);
  });

  it('a broken check fails the change even when another cannot run; baseline failures are reported, not counted', () => {
    const summary = summarizeChecks([
      judged('test', result('passed'), result('failed', 'AssertionError: expected 1 to equal 2')),
      judged('build', result('passed'), result('cannot-run', '', 'time limit')),
      judged('lint', result('failed', '3 problems'), undefined, { baselineCached: true }),
    ]);
    expect(summary.outcome).toBe('failed');
    expect(summary.summary).toMatch(/^the change breaks the repository's test .*not counted \(failing or not runnable at baseline\): lint; baseline reused for 1 of 3/);
    expect(summary.findings[0]).toBe('test (`npm run test`) passed before the change and fails with it:\nAssertionError: expected 1 to equal 2');
    expect(summary.findings).toContain('lint: failing at baseline, not counted:\n3 problems');
    expect([...summary.judgedKinds].sort()).toEqual(['test']);
  });

  it('a check that cannot run with the change leaves it unjudged; nothing judged when every check failed before', () => {
    expect(summarizeChecks([judged('test', result('passed'), result('cannot-run', '', 'time limit'))]).outcome).toBe('cannot-validate');
    expect(summarizeChecks([judged('test', result('failed')), judged('lint', result('cannot-run'))]).outcome).toBe('nothing-judged');
    expect(summarizeChecks([judged('test', result('passed'), result('passed'), { baselineCached: true })]).summary).toBe("the repository's checks pass with the change: test; baseline reused for 1 of 1 check(s)");
  });

  it('keeps excerpts to their last lines', () => {
    const long = Array.from({ length: 80 }, (_, i) => `line ${i}`).join('\n');
    const [finding] = summarizeChecks([judged('test', result('passed'), result('failed', long))]).findings;
    expect(finding.split('\n')).toHaveLength(26);
    expect(finding.endsWith('line 79')).toBe(true);
  });
});

describe('validation verdict and feedback', () => {
  it('failed beats cannot-validate; cannot-validate only when every short required stage could not judge', () => {
    expect(verdictOf([stage('a', 'passed'), stage('b', 'skipped', { required: false })])).toBe('passed');
    expect(verdictOf([stage('a', 'skipped', { cannotValidate: true }), stage('b', 'passed')])).toBe('cannot-validate');
    expect(verdictOf([stage('a', 'skipped', { cannotValidate: true }), stage('b', 'failed')])).toBe('failed');
    // A crashed required stage is a failure, as before.
    expect(verdictOf([stage('a', 'skipped')])).toBe('failed');
  });

  it('feeds back the failed stages only, "stage: finding", bounded', () => {
    const feedback = feedbackOf([stage('security', 'passed', { findings: ['fine'] }), stage('repository-checks', 'failed', { findings: Array.from({ length: 150 }, (_, i) => `finding ${i}`) })]);
    expect(feedback[0]).toBe('repository-checks: repository-checks said so');
    expect(feedback[1]).toBe('repository-checks: finding 0');
    expect(feedback).toHaveLength(100);
    expect(feedback.some((f) => f.startsWith('security'))).toBe(false);
  });
});
