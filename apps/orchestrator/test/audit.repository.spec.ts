import { randomUUID } from 'node:crypto';
import { RedisConnection } from '@autocode/state';
import { TEST_INFRA, testNamespace } from '@autocode/testing';
import type { OrchestratorConfig } from '../src/config/orchestrator.config';
import { auditQuerySchema, type AuditEntry } from '../src/audit/audit.model';
import { AuditRepository } from '../src/audit/audit.repository';

const entry = (at: Date, fields: Partial<AuditEntry> = {}): AuditEntry => ({
  id: randomUUID(),
  at: at.toISOString(),
  actor: 'ops',
  role: 'operator',
  client: '127.0.0.1',
  method: 'POST',
  route: '/api/tasks',
  path: '/api/tasks',
  status: 201,
  outcome: 'succeeded',
  ...fields,
});

/** The audit log against the real Redis: newest first, filters, pages, and retention. */
describe('AuditRepository', () => {
  const namespace = testNamespace('audit');
  const redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${namespace}:` });
  const audit = new AuditRepository(redis, { AUDIT_RETENTION_DAYS: 1 } as OrchestratorConfig);
  const query = (q: Record<string, unknown>) => audit.query(auditQuerySchema.parse(q));

  afterAll(async () => {
    const keys = await redis.client.keys(`${namespace}:*`);
    if (keys.length) await redis.client.del(...keys);
    await redis.close();
  });

  it('lists newest first and filters by actor, route, method, outcome and time', async () => {
    const now = Date.now();
    await audit.record(entry(new Date(now - 3000), { actor: 'alice' }));
    await audit.record(entry(new Date(now - 2000), { actor: 'bob', route: '/api/queue/pause', path: '/api/queue/pause', status: 403, outcome: 'refused' }));
    await audit.record(entry(new Date(now - 1000), { actor: 'alice', method: 'DELETE', route: '/api/schedules/:id', path: '/api/schedules/s1', status: 204 }));

    expect((await query({})).items.map((e) => e.actor)).toEqual(['alice', 'bob', 'alice']);
    expect((await query({ actor: 'alice' })).items.map((e) => e.method)).toEqual(['DELETE', 'POST']);
    expect((await query({ route: '/api/queue' })).items.map((e) => e.actor)).toEqual(['bob']);
    expect((await query({ route: '/api/schedules/s1' })).items).toHaveLength(1);
    expect((await query({ outcome: 'refused' })).items.map((e) => e.status)).toEqual([403]);
    expect((await query({ method: 'DELETE' })).items).toHaveLength(1);
    expect((await query({ since: new Date(now - 2500).toISOString(), until: new Date(now - 1500).toISOString() })).items.map((e) => e.actor)).toEqual(['bob']);
  });

  it('pages with offset and nextOffset', async () => {
    const first = await query({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextOffset).toBe(2);
    const rest = await query({ limit: 2, offset: first.nextOffset });
    expect(rest.items).toHaveLength(1);
    expect(rest.nextOffset).toBeNull();
  });

  it('drops entries older than the retention on the next write, and never lists them', async () => {
    const old = entry(new Date(Date.now() - 2 * 24 * 3600 * 1000), { actor: 'ancient' });
    await redis.client.zadd(redis.key('audit', 'log'), Date.parse(old.at), JSON.stringify(old));
    expect((await query({ actor: 'ancient' })).items).toEqual([]);
    await audit.record(entry(new Date(), { actor: 'carol' }));
    const members = await redis.client.zrange(redis.key('audit', 'log'), 0, -1);
    expect(members.some((m) => m.includes('ancient'))).toBe(false);
    expect(members).toHaveLength(4);
    const ttl = await redis.client.pttl(redis.key('audit', 'log'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(24 * 3600 * 1000);
  });
});
