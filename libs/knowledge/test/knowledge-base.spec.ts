import { randomBytes } from 'node:crypto';
import { ZodError } from 'zod';
import { RedisConnection } from '@autocode/state';
import { TEST_INFRA, testNamespace } from '@autocode/testing';
import { KnowledgeBase } from '../src/knowledge-base.repository';
import { OpportunityMemory } from '../src/opportunity-memory.repository';

const fingerprint = () => randomBytes(16).toString('hex');

describe('the knowledge base on a real Redis', () => {
  const namespace = testNamespace('kb');
  const redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${namespace}:` });
  const knowledge = new KnowledgeBase(redis);
  const memory = new OpportunityMemory(redis);

  afterAll(async () => {
    const keys = await redis.client.keys(`${namespace}:*`);
    if (keys.length) await redis.client.del(...keys);
    await redis.close();
  });

  it('counts outcomes per kind and generator, with streaks, reasons and totals', async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 10, minute));
    await knowledge.recordOutcome({ generator: 'lint-autofix', kind: 'lint-finding', fingerprint: fingerprint(), outcome: 'validated', at: at(0) });
    await knowledge.recordOutcome({ generator: 'lint-autofix', kind: 'lint-finding', fingerprint: fingerprint(), outcome: 'rejected', reason: 'unit-tests: 2 failed', at: at(1) });
    await knowledge.recordOutcome({ generator: 'lint-autofix', kind: 'lint-finding', fingerprint: fingerprint(), outcome: 'rejected', reason: 'static-analysis: new findings', at: at(2) });
    await knowledge.recordOutcome({ generator: 'format', kind: 'unformatted-file', fingerprint: fingerprint(), outcome: 'validated', at: at(3) });

    const stats = await knowledge.stats();
    expect(stats.totals).toEqual({ validated: 2, rejected: 2 });
    const lint = stats.records.find((r) => r.kind === 'lint-finding' && r.generator === 'lint-autofix')!;
    expect(lint).toMatchObject({
      validated: 1,
      rejected: 2,
      consecutiveRejections: 2,
      lastRejectedAt: at(2).toISOString(),
      lastValidatedAt: at(0).toISOString(),
    });
    expect(lint.successRate).toBeCloseTo(2 / 5);
    expect(lint.recent.map((r) => r.reason)).toEqual(['static-analysis: new findings', 'unit-tests: 2 failed', '']);

    // A validation ends the streak.
    await knowledge.recordOutcome({ generator: 'lint-autofix', kind: 'lint-finding', fingerprint: fingerprint(), outcome: 'validated', at: at(4) });
    const [after] = await knowledge.records(['lint-finding']);
    expect(after).toMatchObject({ validated: 2, rejected: 2, consecutiveRejections: 0 });
  });

  it('records an outcome id once, so a redelivered event changes nothing', async () => {
    const input = { generator: 'doc-comments', kind: 'undocumented-export', fingerprint: fingerprint(), outcome: 'rejected' as const, id: 'tsk_validate_1' };
    expect(await knowledge.recordOutcome(input)).toBe(true);
    expect(await knowledge.recordOutcome(input)).toBe(false);
    const [record] = await knowledge.records(['undocumented-export']);
    expect(record).toMatchObject({ rejected: 1, consecutiveRejections: 1 });
  });

  it('refuses bad input naming the field', async () => {
    await expect(knowledge.recordOutcome({ generator: 'x', kind: 'lint-finding', fingerprint: 'not-hex', outcome: 'validated' })).rejects.toThrow(ZodError);
    await expect(knowledge.recordOutcome({ generator: 'x', kind: 'lint-finding', fingerprint: fingerprint(), outcome: 'maybe' as never })).rejects.toThrow(/outcome/);
  });

  it('claims fingerprints once, in order, up to a limit, and honours outcomes and their windows', async () => {
    const [a, b, c, d] = [fingerprint(), fingerprint(), fingerprint(), fingerprint()];
    const entries = [a, b, c, d].map((f) => ({ fingerprint: f, kind: 'lint-finding' }));
    const now = Date.now();

    expect(await memory.claim(entries, { taskId: 'tsk_plan_one', limit: 3, now })).toEqual(['claimed', 'claimed', 'claimed', 'over-limit']);
    // Another planning task sees them in flight; the same task (a retry) gets them again.
    expect(await memory.claim(entries, { taskId: 'tsk_plan_two', limit: 10, now })).toEqual(['planned', 'planned', 'planned', 'claimed']);
    expect(await memory.claim(entries.slice(0, 1), { taskId: 'tsk_plan_one', limit: 10, now })).toEqual(['claimed']);

    await knowledge.recordOutcome({ generator: 'lint-autofix', kind: 'lint-finding', fingerprint: a, outcome: 'rejected', reason: 'tests failed', at: new Date(now) });
    await knowledge.recordOutcome({ generator: 'lint-autofix', kind: 'lint-finding', fingerprint: b, outcome: 'validated', at: new Date(now) });
    expect(await memory.lookup([a, b])).toEqual([
      expect.objectContaining({ status: 'rejected', reason: 'tests failed', generator: 'lint-autofix' }),
      expect.objectContaining({ status: 'validated' }),
    ]);

    const windows = { plannedMs: 3600_000, validatedMs: 7 * 24 * 3600_000, rejectedMs: 24 * 3600_000 };
    expect(await memory.claim(entries, { taskId: 'tsk_plan_three', limit: 10, now: now + 60_000, windows })).toEqual(['rejected', 'validated', 'planned', 'planned']);
    // Two hours on, the in-flight claims have lapsed; a day and a bit on, so has the rejection.
    expect(await memory.claim(entries, { taskId: 'tsk_plan_four', limit: 10, now: now + 2 * 3600_000, windows })).toEqual(['rejected', 'validated', 'claimed', 'claimed']);
    expect(await memory.claim(entries, { taskId: 'tsk_plan_five', limit: 10, now: now + 25 * 3600_000, windows })).toEqual(['claimed', 'validated', 'claimed', 'claimed']);
  });

  it('lets only one of two concurrent planners claim a fingerprint', async () => {
    const entries = Array.from({ length: 200 }, () => ({ fingerprint: fingerprint(), kind: 'unformatted-file' }));
    const [one, two] = await Promise.all([
      memory.claim(entries, { taskId: 'tsk_race_one', limit: 1000 }),
      memory.claim(entries, { taskId: 'tsk_race_two', limit: 1000 }),
    ]);
    for (let i = 0; i < entries.length; i += 1) {
      expect([one[i], two[i]].sort()).toEqual(['claimed', 'planned']);
    }
  });
});
