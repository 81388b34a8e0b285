import { randomBytes } from 'node:crypto';
import { RedisConnection } from '@autocode/state';
import { TEST_INFRA, testNamespace } from '@autocode/testing';
import { KnowledgeBase } from '../src/knowledge-base.repository';
import { OpportunityMemory } from '../src/opportunity-memory.repository';

const hex = () => randomBytes(16).toString('hex');

/** Re-planning by file content, on a real Redis. */
describe('the opportunity memory and the content of a finding’s files', () => {
  const namespace = testNamespace('memory');
  const redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${namespace}:` });
  const memory = new OpportunityMemory(redis);
  const knowledge = new KnowledgeBase(redis);
  const now = Date.UTC(2026, 11, 1, 12, 0);

  afterAll(async () => {
    const keys = await redis.client.keys(`${namespace}:*`);
    if (keys.length) await redis.client.del(...keys);
    await redis.close();
  });

  it('keeps a finding that ended without a change planned while its file is unchanged, and plans it again once the file changes', async () => {
    const entry = { fingerprint: hex(), kind: 'undocumented-export', inputHash: hex() };
    expect(await memory.claim([entry], { taskId: 'tsk_plan_a', limit: 10, now })).toEqual(['claimed']);
    // The generation ended as no-change: nothing is recorded, the claim stays. Same content: still planned.
    expect(await memory.claim([entry], { taskId: 'tsk_plan_b', limit: 10, now: now + 60_000 })).toEqual(['planned']);
    // The file changed: planned again, by the new task…
    const changed = { ...entry, inputHash: hex() };
    expect(await memory.claim([changed], { taskId: 'tsk_plan_c', limit: 10, now: now + 120_000 })).toEqual(['claimed']);
    expect(await memory.lookup([entry.fingerprint])).toEqual([expect.objectContaining({ status: 'planned', taskId: 'tsk_plan_c' })]);
    // …and only once: a third planner at that content sees it planned.
    expect(await memory.claim([changed], { taskId: 'tsk_plan_d', limit: 10, now: now + 180_000 })).toEqual(['planned']);
  });

  it('plans a rejected finding again when its file changes, but leaves a validated one alone', async () => {
    const rejected = { fingerprint: hex(), kind: 'lint-finding', inputHash: hex() };
    const validated = { fingerprint: hex(), kind: 'unused-imports', inputHash: hex() };
    expect(await memory.claim([rejected, validated], { taskId: 'tsk_plan_e', limit: 10, now })).toEqual(['claimed', 'claimed']);
    const at = new Date(now + 60_000);
    await knowledge.recordOutcome({ generator: 'lint-autofix', kind: rejected.kind, fingerprint: rejected.fingerprint, outcome: 'rejected', reason: 'unit-tests: failed', at });
    await knowledge.recordOutcome({ generator: 'organize-imports', kind: validated.kind, fingerprint: validated.fingerprint, outcome: 'validated', at });

    const later = now + 120_000;
    expect(await memory.claim([rejected, validated], { taskId: 'tsk_plan_f', limit: 10, now: later })).toEqual(['rejected', 'validated']);
    const edited = [
      { ...rejected, inputHash: hex() },
      { ...validated, inputHash: hex() },
    ];
    expect(await memory.claim(edited, { taskId: 'tsk_plan_g', limit: 10, now: later })).toEqual(['claimed', 'validated']);
  });

  it('never frees a finding without files (no input hash) before its window ends', async () => {
    const entry = { fingerprint: hex(), kind: 'performance-regression' };
    expect(await memory.claim([entry], { taskId: 'tsk_plan_h', limit: 10, now })).toEqual(['claimed']);
    expect(await memory.claim([{ ...entry, inputHash: '' }], { taskId: 'tsk_plan_i', limit: 10, now: now + 60_000 })).toEqual(['planned']);
  });

  it('lets only one of two concurrent planners re-plan a changed finding', async () => {
    const entries = Array.from({ length: 30 }, () => ({ fingerprint: hex(), kind: 'untested-module', inputHash: hex() }));
    await memory.claim(entries, { taskId: 'tsk_plan_j', limit: 100, now });
    const changed = entries.map((e) => ({ ...e, inputHash: hex() }));
    const [one, two] = await Promise.all([
      memory.claim(changed, { taskId: 'tsk_plan_k', limit: 100, now: now + 60_000 }),
      memory.claim(changed, { taskId: 'tsk_plan_l', limit: 100, now: now + 60_000 }),
    ]);
    for (let i = 0; i < entries.length; i += 1) expect([one[i], two[i]].sort()).toEqual(['claimed', 'planned']);
  });
});
