import type { PlanParams } from '@autocode/contracts';
import { loadConfig } from '@autocode/runtime';
import { plannerConfigSchema } from '../src/config/planner.config';
import { sampleRepo } from './git-fixtures';
import { PlannerHarness } from './planner-harness';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);

/**
 * The knowledge base steering the planner, on the real Redis: generators
 * with better records are preferred, kinds that keep failing stop being
 * planned, and outcomes keep an opportunity from being planned again.
 */
describe('the planner and the knowledge base', () => {
  const sample = sampleRepo();
  const harnesses: PlannerHarness[] = [];
  const harness = (env: Record<string, string> = {}) => {
    const created = new PlannerHarness(env);
    harnesses.push(created);
    return created;
  };
  const params = (kinds: string[]): PlanParams => ({ repository: sample.path, ref: 'HEAD', lookbackHours: 24, kinds });

  afterAll(async () => {
    await Promise.all(harnesses.map((h) => h.close()));
    sample.remove();
  });

  it('prefers the alternative generator with the better record', async () => {
    const h = harness();
    const fingerprint = (i: number) => `${'ab'.repeat(15)}${String(i).padStart(2, '0')}`;
    for (let i = 0; i < 3; i += 1) {
      await h.knowledge.recordOutcome({ generator: 'doc-comments', kind: 'undocumented-export', fingerprint: fingerprint(i), outcome: 'rejected', reason: 'static-analysis: new findings' });
      await h.knowledge.recordOutcome({ generator: 'llm', kind: 'undocumented-export', fingerprint: fingerprint(10 + i), outcome: 'validated' });
    }
    const plan = await h.service.plan(params(['undocumented-export', 'untested-module']), h.context());
    expect(plan.opportunities.map((o) => [o.kind, o.generator])).toEqual([
      ['undocumented-export', 'llm'],
      // No records for this kind: its default.
      ['untested-module', 'test-scaffold'],
    ]);
  });

  it('stops planning a kind whose generators keep failing, until the cool-down has passed', async () => {
    const h = harness({ PLANNER_DISABLED_GENERATORS: 'llm', KNOWLEDGE_STOP_AFTER_REJECTIONS: '3', KNOWLEDGE_STOP_COOLDOWN_HOURS: '24' });
    await h.knowledge.recordOutcome({ generator: 'lint-autofix', kind: 'lint-finding', fingerprint: 'c'.repeat(32), outcome: 'validated', at: hoursAgo(5) });
    for (let i = 0; i < 3; i += 1) {
      await h.knowledge.recordOutcome({ generator: 'lint-autofix', kind: 'lint-finding', fingerprint: `${'d'.repeat(31)}${i}`, outcome: 'rejected', reason: 'unit-tests: failed', at: hoursAgo(2) });
    }
    const stopped = await h.service.plan(params(['lint-finding', 'unformatted-file']), h.context());
    expect(stopped.opportunities.map((o) => o.kind)).toEqual(['unformatted-file']);
    expect(stopped.suppressed).toEqual([expect.objectContaining({ kind: 'lint-finding', files: ['src/legacy-tax.js'], reason: 'kind-stopped' })]);

    // With the LLM generator available, the untried alternative gets its chance instead.
    const withLlm = harness({ KNOWLEDGE_STOP_AFTER_REJECTIONS: '3' });
    for (let i = 0; i < 3; i += 1) {
      await withLlm.knowledge.recordOutcome({ generator: 'lint-autofix', kind: 'lint-finding', fingerprint: `${'e'.repeat(31)}${i}`, outcome: 'rejected', at: hoursAgo(2) });
    }
    const alternative = await withLlm.service.plan(params(['lint-finding']), withLlm.context());
    expect(alternative.opportunities.map((o) => [o.kind, o.generator])).toEqual([['lint-finding', 'llm']]);

    // An old streak no longer stops the kind.
    const cooled = harness({ PLANNER_DISABLED_GENERATORS: 'llm', KNOWLEDGE_STOP_AFTER_REJECTIONS: '3', KNOWLEDGE_STOP_COOLDOWN_HOURS: '1' });
    for (let i = 0; i < 3; i += 1) {
      await cooled.knowledge.recordOutcome({ generator: 'lint-autofix', kind: 'lint-finding', fingerprint: `${'f'.repeat(31)}${i}`, outcome: 'rejected', at: hoursAgo(2) });
    }
    const retried = await cooled.service.plan(params(['lint-finding']), cooled.context());
    expect(retried.opportunities.map((o) => [o.kind, o.generator])).toEqual([['lint-finding', 'lint-autofix']]);
  });

  it('does not plan again what was rejected recently or validated, once its tasks are no longer in flight', async () => {
    // An in-flight window of zero: a planned opportunity may be planned again at once, unless an outcome says otherwise.
    const h = harness({ PLANNER_INFLIGHT_HOURS: '0' });
    const kinds = ['unformatted-file', 'unused-imports', 'lint-finding'];
    const first = await h.service.plan(params(kinds), h.context());
    expect(first.opportunities.map((o) => o.kind)).toEqual(['lint-finding', 'unused-imports', 'unformatted-file']);
    const [lint, unused, unformatted] = first.opportunities;

    await h.knowledge.recordOutcome({ generator: unformatted.generator, kind: unformatted.kind, fingerprint: unformatted.fingerprint, outcome: 'rejected', reason: 'unit-tests: 1 failed', id: 'tsk_validate_a' });
    await h.knowledge.recordOutcome({ generator: unused.generator, kind: unused.kind, fingerprint: unused.fingerprint, outcome: 'validated', id: 'tsk_validate_b' });

    const second = await h.service.plan(params(kinds), h.context());
    expect(second.opportunities.map((o) => o.fingerprint)).toEqual([lint.fingerprint]);
    expect(second.suppressed?.map((s) => [s.kind, s.reason])).toEqual([
      ['unused-imports', 'validated'],
      ['unformatted-file', 'rejected'],
    ]);

    // "Recently" ends: with a rejection window of zero, the rejected one is planned again.
    const later = harness({ PLANNER_INFLIGHT_HOURS: '0', PLANNER_REJECTED_HOURS: '0' });
    await later.knowledge.recordOutcome({ generator: unformatted.generator, kind: unformatted.kind, fingerprint: unformatted.fingerprint, outcome: 'rejected' });
    const third = await later.service.plan(params(['unformatted-file']), later.context());
    expect(third.opportunities.map((o) => o.fingerprint)).toEqual([unformatted.fingerprint]);
  });

  it('plans at most the requested number, highest ranked first, leaving the rest for later', async () => {
    const h = harness();
    const plan = await h.service.plan({ ...params(['security-finding', 'complexity-hotspot', 'unformatted-file']), maxOpportunities: 2 }, h.context());
    expect(plan.opportunities.map((o) => o.kind)).toEqual(['security-finding', 'complexity-hotspot']);
    expect(plan.suppressed).toEqual([expect.objectContaining({ kind: 'unformatted-file', reason: 'over-limit' })]);
    const next = await h.service.plan(params(['security-finding', 'complexity-hotspot', 'unformatted-file']), h.context());
    expect(next.opportunities.map((o) => o.kind)).toEqual(['unformatted-file']);
  });

  it('looks only for the kinds the planner is configured for', async () => {
    const h = harness({ PLANNER_KINDS: 'recent-changes,unformatted-file' });
    const all = await h.service.plan({ repository: sample.path, ref: 'HEAD', lookbackHours: 24 }, h.context());
    expect(all.opportunities.map((o) => o.kind)).toEqual(['unformatted-file', 'recent-changes']);
    expect(all.analyses?.find((a) => a.name === 'eslint')?.status).toBe('skipped');
    const only = harness({ PLANNER_KINDS: 'recent-changes' });
    const narrowed = await only.service.plan(params(['recent-changes', 'lint-finding']), only.context());
    expect(narrowed.opportunities.map((o) => o.kind)).toEqual(['recent-changes']);
    expect(() => loadConfig('planner', plannerConfigSchema, { PLANNER_KINDS: 'lint-finding,typo' })).toThrow(/PLANNER_KINDS: must be a comma-separated list of opportunity kinds/);
  });

  it('refuses unknown kinds as a failure no retry can fix', async () => {
    const h = harness();
    await expect(h.service.plan(params(['not-a-kind']), h.context())).rejects.toMatchObject({ name: 'NonRetryableTaskError', message: expect.stringMatching(/unknown opportunity kind\(s\) not-a-kind/) });
  });
});
