import { leaseHashOf, newLeaseToken, type TaskResult } from '@autocode/contracts';
import { PermanentError, type ConsumerFactory, type IncomingEvent } from '@autocode/messaging';
import { TaskReportsConsumer } from '../src/dispatch/task-reports.consumer';
import { TaskCommandsService } from '../src/tasks/task-commands.service';
import { emptyMutation } from '../src/tasks/task-transitions';
import { TaskCoreHarness } from './task-core-harness';

/** Lease tokens on a real Redis: handed out by dispatch, checked with every report, carried by stop orders. */
describe('task leases on Redis', () => {
  const core = new TaskCoreHarness();
  const reports = new TaskReportsConsumer({} as ConsumerFactory, core.repository, core.lifecycle, core.metrics);
  const commands = new TaskCommandsService(core.lifecycle, core.repository, core.signals);
  afterAll(() => core.close());

  const outbox = async () => (await core.redis.client.xrange(core.keys.outbox(), '-', '+')).map(([, fields]) => JSON.parse(fields[1]) as Record<string, unknown>);

  /** A queued task, dispatched to worker-a: returns it with the assignment's lease token. */
  async function dispatched(): Promise<{ id: string; token: string }> {
    const task = await core.seed('QUEUED', { queueScore: 1 });
    const worker = { workerId: 'worker-a', pool: 'generation', capacity: 100, partitions: [0], types: ['sleep'], running: 0, intervalMs: 1000, startedAt: new Date().toISOString(), lastSeen: Date.now(), expiresAt: Date.now() + 60_000 };
    await core.redis.client.hset(core.keys.workers('generation'), 'worker-a', JSON.stringify(worker));
    await core.repository.dispatch('generation', 16, new Date());
    const assignment = (await outbox()).find((r) => r.kind === 'assignment' && r.taskId === task.id);
    expect(assignment).toBeDefined();
    return { id: task.id, token: assignment!.leaseToken as string };
  }

  const result = (taskId: string, leaseToken: string, overrides: Partial<TaskResult> = {}): IncomingEvent<TaskResult> => ({
    envelope: {
      id: '00000000-0000-4000-8000-000000000000',
      type: 'task.result',
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      correlationId: taskId,
      causationId: null,
      producer: 'test',
      payload: { taskId, attempt: 1, workerId: 'worker-a', leaseToken, type: 'sleep', outcome: 'succeeded', output: { ok: true }, startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(), ...overrides },
    },
    topic: 'autocode.task.result.v1',
    partition: 0,
    offset: '0',
    key: taskId,
    headers: {},
  });

  it('gives every dispatched attempt its own lease; the task keeps only its hash, never shown', async () => {
    const a = await dispatched();
    const b = await dispatched();
    expect(a.token).not.toBe(b.token);
    const stored = await core.redis.client.hget(core.keys.task(a.id), 'lease');
    expect(stored).toBe(`1.${leaseHashOf(a.token)}`);
    expect(JSON.stringify(await core.repository.get(a.id))).not.toContain(leaseHashOf(a.token));
  });

  it('refuses a forged result, in a batch with an authentic one, before anything changes; each then counts on its own merits', async () => {
    const task = await dispatched();
    const other = await dispatched();
    const forged = result(task.id, newLeaseToken(), { outcome: 'failed', output: null, error: { message: 'forged', retryable: true } });
    await expect(reports.onResults([result(other.id, other.token), forged])).rejects.toThrow(PermanentError);
    // Judged before applying: neither changed.
    expect((await core.repository.get(other.id))?.state).toBe('SCHEDULED');
    await expect(reports.onResults([forged])).rejects.toThrow(`refused task.result for ${task.id} attempt 1 from worker-a: its lease token is not the one this attempt was handed out with`);
    expect(await core.repository.get(task.id)).toMatchObject({ state: 'SCHEDULED', attempt: 1, failures: 0 });

    // A forged give-back cannot bounce it either.
    await expect(reports.onResults([result(task.id, newLeaseToken(), { outcome: 'rejected', output: null, error: { message: 'no free slot', retryable: true } })])).rejects.toThrow(PermanentError);
    expect(await core.repository.get(task.id)).toMatchObject({ state: 'SCHEDULED', attempt: 1 });

    await reports.onResults([result(other.id, other.token)]);
    await reports.onResults([result(task.id, task.token)]);
    expect(await core.repository.get(task.id)).toMatchObject({ state: 'COMPLETED', attempt: 1, output: { ok: true } });
    // A redelivered authentic result is a duplicate: no error, no change.
    await reports.onResults([result(task.id, task.token)]);
    expect((await core.repository.history(task.id)).filter((h) => h.to === 'COMPLETED')).toHaveLength(1);
  });

  it('checks the lease in the script that applies the change', async () => {
    const task = await dispatched();
    const mutation = { ...emptyMutation(), expectState: 'SCHEDULED' as const, expectAttempt: 1, expectLease: `1.${leaseHashOf(newLeaseToken())}`, expectWorker: 'worker-a', set: { state: 'COMPLETED' } };
    expect(await core.repository.apply(task.id, mutation)).toMatchObject({ kind: 'lease', state: 'SCHEDULED', attempt: 1 });
    expect(await core.repository.apply(task.id, { ...mutation, expectLease: `1.${leaseHashOf(task.token)}`, expectWorker: 'worker-b' })).toMatchObject({ kind: 'lease' });
    expect((await core.repository.get(task.id))?.state).toBe('SCHEDULED');
  });

  it('sends stop orders with the hash of the attempt lease, which the worker can check against its token', async () => {
    const task = await dispatched();
    await commands.cancel(task.id, { actor: 'tester', source: 'jest' });
    const order = (await outbox()).find((r) => r.kind === 'control' && r.taskId === task.id);
    expect(order).toMatchObject({ attempt: 1, workerId: 'worker-a', leaseHash: leaseHashOf(task.token) });
  });
});
