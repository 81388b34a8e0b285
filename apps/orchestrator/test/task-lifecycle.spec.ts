import { IllegalTransitionError, TASK_STATES, TASK_TRANSITIONS, type TaskState } from '@autocode/contracts';
import { StaleAttemptError } from '../src/tasks/task.model';
import { TaskCoreHarness } from './task-core-harness';

/** Every legal transition applied to a real Redis, with what moves along with it; illegal ones refused. */
describe('task lifecycle on Redis', () => {
  const core = new TaskCoreHarness();
  afterAll(() => core.close());

  const legal: Array<[TaskState, TaskState]> = TASK_STATES.flatMap((from) => TASK_TRANSITIONS[from].map((to): [TaskState, TaskState] => [from, to]));
  const context = { actor: 'tester', source: 'jest', reason: 'because' };

  it('QUEUED -> SCHEDULED happens only through dispatch, into a live worker slot', async () => {
    const task = await core.seed('QUEUED');
    await expect(core.lifecycle.transition(task.id, 'SCHEDULED', context)).rejects.toThrow('only the dispatcher schedules tasks');
    expect(await core.repository.dispatch('generation', 10, new Date())).toBe(0); // no worker yet: it waits

    const worker = { workerId: 'worker-dispatch', pool: 'generation', capacity: 1, partitions: [2], types: ['sleep'], running: 0, intervalMs: 1000, startedAt: new Date().toISOString(), lastSeen: Date.now(), expiresAt: Date.now() + 10_000 };
    await core.redis.client.hset(core.keys.workers('generation'), 'worker-dispatch', JSON.stringify(worker));
    expect(await core.repository.dispatch('generation', 10, new Date())).toBe(1);

    const stored = await core.repository.get(task.id);
    expect(stored).toMatchObject({ state: 'SCHEDULED', workerId: 'worker-dispatch', attempt: 1 });
    expect(await core.membership(task)).toMatchObject({ ready: false, deadline: true, stateIndex: ['SCHEDULED'] });
    expect(await core.redis.client.smembers(core.keys.inflight('worker-dispatch'))).toEqual([task.id]);
    expect((await core.repository.history(task.id)).at(-1)).toMatchObject({ from: 'QUEUED', to: 'SCHEDULED', actor: 'orchestrator', source: 'dispatcher' });
    const outbox = await core.redis.client.xrange(core.keys.outbox(), '-', '+');
    const assignment = outbox.map(([, fields]) => JSON.parse(fields[1])).find((r) => r.kind === 'assignment' && r.taskId === task.id);
    expect(assignment).toMatchObject({ workerId: 'worker-dispatch', partition: 2, attempt: 1, pool: 'generation' });

    // The one slot is taken: the next ready task waits.
    await core.seed('QUEUED');
    expect(await core.repository.dispatch('generation', 10, new Date())).toBe(0);
  });

  it('sends a task only to a worker that runs its type; one nobody runs waits without holding up the rest', async () => {
    const exotic = await core.seed('QUEUED', { type: 'exotic', pool: 'validation', queueScore: 1 });
    const ordinary = await core.seed('QUEUED', { type: 'sleep', pool: 'validation', queueScore: 2 });
    const worker = { workerId: 'worker-typed', pool: 'validation', capacity: 5, partitions: [0], types: ['sleep'], running: 0, intervalMs: 1000, startedAt: new Date().toISOString(), lastSeen: Date.now(), expiresAt: Date.now() + 10_000 };
    await core.redis.client.hset(core.keys.workers('validation'), 'worker-typed', JSON.stringify(worker));
    expect(await core.repository.dispatch('validation', 10, new Date())).toBe(1);
    expect((await core.repository.get(ordinary.id))?.state).toBe('SCHEDULED');
    expect((await core.repository.get(exotic.id))?.state).toBe('QUEUED');
    expect(await core.membership(exotic)).toMatchObject({ ready: true });
  });

  it.each(legal.filter(([from, to]) => !(from === 'QUEUED' && to === 'SCHEDULED')))('%s -> %s applies with its audit entry and queue moves', async (from, to) => {
    const task = await core.seed(from);
    const after = await core.lifecycle.transition(task.id, to, {
      ...context,
      changes: to === 'RETRYING' ? { retryAt: new Date(Date.now() + 5000).toISOString() } : {},
    });

    const stored = await core.repository.get(task.id);
    expect(stored?.state).toBe(to);
    const history = await core.repository.history(task.id);
    expect(history.at(-1)).toMatchObject({ from, to, actor: 'tester', source: 'jest', reason: 'because', attempt: task.attempt });

    // An execution that ends without finishing spends its attempt; a manual retry starts a new one.
    const spendsAttempt = (['SCHEDULED', 'RUNNING'].includes(from) && ['QUEUED', 'RETRYING', 'PAUSED'].includes(to)) || (from === 'FAILED' && to === 'QUEUED');
    expect(after.attempt).toBe(task.attempt + (spendsAttempt ? 1 : 0));
    expect(stored?.attempt).toBe(after.attempt);

    const where = await core.membership(task);
    expect(where.stateIndex).toEqual([to]);
    expect(where.ready).toBe(to === 'QUEUED');
    expect(where.delayed).toBe(to === 'RETRYING');
    // Still executing (SCHEDULED -> RUNNING) keeps its deadline and worker slot; anything else frees them.
    const executing = to === 'RUNNING' || to === 'SCHEDULED';
    expect(where.deadline).toBe(executing);
    expect(where.inflight).toBe(executing);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(to)) expect(stored?.finishedAt).not.toBeNull();
  });

  const illegal: Array<[TaskState, TaskState]> = TASK_STATES.flatMap((from) =>
    TASK_STATES.filter((to) => to !== from && !TASK_TRANSITIONS[from].includes(to)).map((to): [TaskState, TaskState] => [from, to]),
  );

  it.each(illegal)('%s -> %s is refused and changes nothing', async (from, to) => {
    const task = await core.seed(from);
    const before = await core.membership(task);
    await expect(core.lifecycle.transition(task.id, to, context)).rejects.toThrow(IllegalTransitionError);
    expect((await core.repository.get(task.id))?.state).toBe(from);
    expect(await core.repository.history(task.id)).toEqual([]);
    expect(await core.membership(task)).toEqual(before);
  });

  it('lets exactly one of two concurrent changes win', async () => {
    const task = await core.seed('QUEUED');
    const results = await Promise.allSettled([
      core.lifecycle.transition(task.id, 'CANCELLED', context),
      core.lifecycle.transition(task.id, 'PAUSED', context),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const final = await core.repository.get(task.id);
    const history = await core.repository.history(task.id);
    expect(history).toHaveLength(1);
    expect(history[0].to).toBe(final?.state);
  });

  it('refuses a change for a superseded attempt', async () => {
    const task = await core.seed('RUNNING', { attempt: 3 });
    await expect(core.lifecycle.transition(task.id, 'COMPLETED', { ...context, expectAttempt: 2 })).rejects.toThrow(StaleAttemptError);
    expect((await core.repository.get(task.id))?.state).toBe('RUNNING');
  });

  it('creates a delayed task outside the ready queue and a due one inside it', async () => {
    const later = core.task({ scheduledFor: new Date(Date.now() + 60_000).toISOString() });
    const now = core.task();
    expect((await core.lifecycle.create(later, context)).created).toBe(true);
    expect((await core.lifecycle.create(now, context)).created).toBe(true);
    expect(await core.membership(later)).toMatchObject({ ready: false, delayed: true, stateIndex: ['QUEUED'] });
    expect(await core.membership(now)).toMatchObject({ ready: true, delayed: false, stateIndex: ['QUEUED'] });
    expect((await core.repository.history(now.id)).map((e) => e.to)).toEqual(['CREATED', 'QUEUED']);
    // The same id again creates nothing.
    expect((await core.lifecycle.create(now, context)).created).toBe(false);
    expect((await core.repository.history(now.id))).toHaveLength(2);
  });
});
