import { deleteNamespaceTopics, Mesh, TEST_INFRA, TEST_KEY_NAMES, testNamespace, waitUntil } from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { createEmptyRepo } from './sample-repo';

type Entry = TaskView['history'][number];

const at = (task: TaskView, to: string, nth = 0): number => {
  const entries = task.history.filter((h) => h.to === to);
  if (!entries[nth]) throw new Error(`task ${task.id} has no ${nth + 1}. ${to} entry: ${task.history.map((h) => h.to).join(' → ')}`);
  return Date.parse(entries[nth].at);
};
const states = (task: TaskView) => task.history.map((h: Entry) => h.to);

/**
 * The task core through its REST gateway, with one generation node of one
 * slot, so dispatch order is observable: priorities and aging, delayed
 * tasks, retries with backoff, time limits, cancel / pause / resume / retry,
 * queue pause, progress, results, forecast, load figures and live events.
 */
describe('task core', () => {
  const namespace = testNamespace('core');
  let sample: ReturnType<typeof createEmptyRepo>;
  let mesh: Mesh;
  let api: OrchestratorApi;

  beforeAll(async () => {
    sample = createEmptyRepo();
    mesh = await Mesh.start({
      namespace,
      targetRepository: sample.path,
      services: ['orchestrator', 'generation-node'],
      env: {
        // One rank of priority is worth one second of waiting: enough to order a burst, short enough to see aging.
        orchestrator: { QUEUE_AGING_STEP_SECONDS: '1', CYCLE_INTERVAL_MINUTES: '0' },
        'generation-node': { WORKER_CAPACITY: '1', WORKER_HEARTBEAT_INTERVAL_MS: '500' },
      },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    await waitUntil('the generation node to announce its task types', async () => {
      const { body } = await api.get<{ items: Array<{ name: string }> }>('/api/task-types');
      return body.items.some((t) => t.name === 'sleep');
    });
  });

  afterAll(async () => {
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    sample?.remove();
  });

  const sleepTask = (params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    api.createTask({ type: 'sleep', params: { steps: 2, ...params }, ...extra });
  const finished = (id: string) => api.waitForTaskState(id, ['COMPLETED', 'FAILED', 'CANCELLED'], 90_000);
  const full = async (id: string) => (await api.get<TaskView>(`/api/tasks/${id}`)).body;

  it('dispatches by priority, then age', async () => {
    await api.post('/api/queue/pause', { pools: ['generation'] });
    const order = ['LOW', 'BACKGROUND', 'CRITICAL', 'MEDIUM', 'HIGH', 'CRITICAL'];
    const created: TaskView[] = [];
    for (const priority of order) created.push(await sleepTask({ ms: 40 }, { priority }));
    const queue = await api.get<{ depth: { generation: Record<string, number> } }>('/api/queue');
    expect(queue.body.depth.generation).toMatchObject({ CRITICAL: 2, HIGH: 1, MEDIUM: 1, LOW: 1, BACKGROUND: 1 });

    await api.post('/api/queue/resume', { pools: ['generation'] });
    const done = await Promise.all(created.map((t) => finished(t.id).then(() => full(t.id))));
    const dispatched = [...done].sort((a, b) => at(a, 'SCHEDULED') - at(b, 'SCHEDULED')).map((t) => t.id);
    const byId = (i: number) => created[i].id;
    // CRITICAL (older first), HIGH, MEDIUM, LOW, BACKGROUND.
    expect(dispatched).toEqual([byId(2), byId(5), byId(4), byId(3), byId(0), byId(1)]);
  });

  it('does not starve a low priority under sustained higher-priority load (aging)', async () => {
    await api.post('/api/queue/pause', { pools: ['generation'] });
    const low = await sleepTask({ ms: 100 }, { priority: 'LOW' });
    const highs: TaskView[] = [];
    await api.post('/api/queue/resume', { pools: ['generation'] });
    // HIGH work arrives about as fast as the single slot can run it, for four seconds.
    for (let i = 0; i < 40; i += 1) {
      highs.push(await sleepTask({ ms: 100 }, { priority: 'HIGH' }));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const lowDone = await full((await finished(low.id)).id);
    expect(lowDone.state).toBe('COMPLETED');
    // Strict priority would run the LOW task after every HIGH one; with aging it overtakes
    // the HIGH tasks that arrived more than two aging steps after it.
    const highsAfterLow = highs.filter((h) => Date.parse(h.createdAt as string) > Date.parse(low.createdAt as string) + 2500);
    await Promise.all(highsAfterLow.map((h) => finished(h.id)));
    const later = await Promise.all(highsAfterLow.map((h) => full(h.id)));
    expect(later.length).toBeGreaterThan(5);
    const overtaken = later.filter((h) => at(h, 'SCHEDULED') > at(lowDone, 'SCHEDULED'));
    expect(overtaken.length).toBeGreaterThan(0);
    await Promise.all(highs.map((h) => finished(h.id)));
  });

  it('runs a delayed task no earlier than its time, and forecasts it', async () => {
    const runAt = new Date(Date.now() + 2500).toISOString();
    const far = await sleepTask({ ms: 1 }, { scheduledFor: new Date(Date.now() + 2 * 3600_000).toISOString() });
    const soon = await sleepTask({ ms: 1 }, { scheduledFor: runAt });
    expect(soon.state).toBe('QUEUED');

    const forecast = await api.get<{ upcoming: Array<{ id: string; kind: string }> }>('/api/forecast?lookaheadHours=3');
    expect(forecast.body.upcoming.map((e) => e.id)).toEqual(expect.arrayContaining([far.id, soon.id]));
    const shortForecast = await api.get<{ upcoming: Array<{ id: string }> }>('/api/forecast?lookaheadHours=1');
    expect(shortForecast.body.upcoming.map((e) => e.id)).not.toContain(far.id);

    const done = await full((await finished(soon.id)).id);
    expect(done.state).toBe('COMPLETED');
    expect(at(done, 'SCHEDULED')).toBeGreaterThanOrEqual(Date.parse(runAt));
    await api.post(`/api/tasks/${far.id}/cancel`, {});
  });

  it('retries with exponential backoff and succeeds on a later attempt', async () => {
    const task = await sleepTask({ ms: 1, failAttempts: 2 }, { retry: { initialDelayMs: 400, factor: 2, jitter: false, maxRetries: 3 } });
    const done = await full((await finished(task.id)).id);
    expect(done).toMatchObject({ state: 'COMPLETED', attempt: 3, failures: 2, output: { attempt: 3 } });
    expect(states(done)).toEqual(['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'RETRYING', 'QUEUED', 'SCHEDULED', 'RUNNING', 'RETRYING', 'QUEUED', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
    // Each retry waited at least its backoff: 400 ms, then 800 ms.
    expect(at(done, 'QUEUED', 1) - at(done, 'RETRYING', 0)).toBeGreaterThanOrEqual(400);
    expect(at(done, 'QUEUED', 2) - at(done, 'RETRYING', 1)).toBeGreaterThanOrEqual(800);
    expect(done.history.find((h) => h.to === 'RETRYING')?.reason).toContain('retry 1 of 3 in 400 ms');
  });

  it('fails when retries run out, fails at once when the error is not retryable, and can be retried by hand', async () => {
    const exhausted = await sleepTask({ ms: 1, failAttempts: 5 }, { retry: { maxRetries: 1, initialDelayMs: 10, jitter: false } });
    const permanent = await sleepTask({ ms: 1, failAttempts: 1, failRetryable: false });
    const a = await full((await finished(exhausted.id)).id);
    const b = await full((await finished(permanent.id)).id);
    expect(a).toMatchObject({ state: 'FAILED', failures: 2, error: { retryable: true } });
    expect(a.history.at(-1)?.reason).toContain('no retries left after 2 failure(s)');
    expect(b).toMatchObject({ state: 'FAILED', failures: 1, error: { retryable: false } });
    expect(states(b)).not.toContain('RETRYING');

    const retried = await api.post(`/api/tasks/${b.id}/retry`, { reason: 'fixed the cause' });
    expect(retried.status).toBe(200);
    const again = await full((await finished(b.id)).id);
    expect(again).toMatchObject({ state: 'COMPLETED', attempt: 2 });
    expect(again.history.find((h) => h.from === 'FAILED')).toMatchObject({ to: 'QUEUED', actor: TEST_KEY_NAMES.admin, reason: 'fixed the cause' });
    expect((await api.post(`/api/tasks/${again.id}/retry`, {})).status).toBe(409);
  });

  it('fails a task that runs past its time limit and tells the worker to stop', async () => {
    const task = await sleepTask({ ms: 60_000, steps: 60 }, { timeLimitSeconds: 1, retry: { maxRetries: 0 } });
    const done = await full((await finished(task.id)).id);
    expect(done.state).toBe('FAILED');
    expect(JSON.stringify(done.error)).toContain('time limit');
    // The slot is free again: the next task runs.
    const next = await sleepTask({ ms: 1 });
    expect((await finished(next.id)).state).toBe('COMPLETED');
  });

  it('cancels and pauses queued and running tasks; a resumed task continues from its checkpoint', async () => {
    await api.post('/api/queue/pause', { pools: ['generation'] });
    const queuedCancel = await sleepTask({ ms: 1 });
    const queuedPause = await sleepTask({ ms: 1 });
    expect((await api.post(`/api/tasks/${queuedCancel.id}/cancel`, { reason: 'not needed' })).body).toMatchObject({ state: 'CANCELLED' });
    expect((await api.post(`/api/tasks/${queuedPause.id}/pause`, {})).body).toMatchObject({ state: 'PAUSED' });
    await api.post('/api/queue/resume', { pools: ['generation'] });

    const running = await sleepTask({ ms: 6000, steps: 12 });
    await waitUntil('the task to report progress', async () => {
      const { body } = await api.get<{ progress: { percent: number } | null }>(`/api/tasks/${running.id}/progress`);
      return (body.progress?.percent ?? 0) >= 25;
    });
    const paused = await api.post(`/api/tasks/${running.id}/pause`, {});
    expect(paused.body).toMatchObject({ state: 'PAUSED', attempt: 2 });
    expect((await api.post(`/api/tasks/${running.id}/resume`, {})).body).toMatchObject({ state: 'QUEUED' });
    const resumed = await full((await finished(running.id)).id);
    expect(resumed.state).toBe('COMPLETED');
    expect((resumed.output as { resumedFromStep: number }).resumedFromStep).toBeGreaterThanOrEqual(3);

    const toCancel = await sleepTask({ ms: 30_000, steps: 30 });
    await api.waitForTaskState(toCancel.id, ['RUNNING']);
    expect((await api.post(`/api/tasks/${toCancel.id}/cancel`, {})).body).toMatchObject({ state: 'CANCELLED' });
    // The worker stops: its slot frees up and the paused task, once resumed, runs.
    expect((await api.post(`/api/tasks/${queuedPause.id}/resume`, {})).status).toBe(200);
    expect((await finished(queuedPause.id)).state).toBe('COMPLETED');
    const cancelled = await full(toCancel.id);
    expect(states(cancelled).at(-1)).toBe('CANCELLED');
    expect(states(await full(queuedCancel.id))).toEqual(['CREATED', 'QUEUED', 'CANCELLED']);
    expect((await api.post(`/api/tasks/${toCancel.id}/pause`, {})).status).toBe(409);
  });

  it('holds tasks while the queue is paused', async () => {
    await api.post('/api/queue/pause', {});
    const task = await sleepTask({ ms: 1 });
    // Give the dispatcher's safety sweep (1 s) two chances.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await full(task.id)).state).toBe('QUEUED');
    const { body } = await api.get<{ paused: Record<string, boolean> }>('/api/queue');
    expect(body.paused.generation).toBe(true);
    await api.post('/api/queue/resume', {});
    expect((await finished(task.id)).state).toBe('COMPLETED');
  });

  it('stores progress and results and reports load figures', async () => {
    const task = await sleepTask({ ms: 1000, steps: 4 });
    expect((await api.get(`/api/tasks/${task.id}/result`)).status).toBe(404);
    await finished(task.id);
    const result = await api.get<{ output: unknown; state: string }>(`/api/tasks/${task.id}/result`);
    expect(result.body).toMatchObject({ state: 'COMPLETED', output: { steps: 4, resumedFromStep: 0, attempt: 1 } });
    const progress = await api.get<{ progress: { percent: number; message: string }; checkpoint: unknown }>(`/api/tasks/${task.id}/progress`);
    expect(progress.body.progress).toMatchObject({ percent: 100, message: 'step 4 of 4' });
    expect(progress.body.checkpoint).toEqual({ step: 4 });

    const summary = await api.get<Record<string, unknown>>('/api/metrics/summary');
    expect(summary.body.tasksPerMinute).toEqual(expect.any(Number));
    expect(summary.body.successRateLastHour).toEqual(expect.any(Number));
    expect(summary.body.queueDepth).toHaveProperty('generation.CRITICAL');
    expect(Object.values(summary.body.runningPerWorker as Record<string, { pool: string }>).map((w) => w.pool)).toContain('generation');
    const listing = await api.get<{ items: TaskView[] }>('/api/tasks?state=FAILED&limit=100');
    expect(listing.body.items.length).toBeGreaterThan(0);
    expect(listing.body.items.every((t) => t.state === 'FAILED')).toBe(true);
  });

  it('streams lifecycle events to server-sent-event clients', async () => {
    const correlationId = `sse-${namespace}`;
    const stream = await api.openEventStream(`correlationId=${correlationId}&kinds=lifecycle`);
    expect(stream.contentType).toContain('text/event-stream');

    const task = await sleepTask({ ms: 1 }, { correlationId });
    await finished(task.id);
    const events = await waitUntil('five lifecycle events on the stream', () => {
      const data = stream.data<{ to: string }>(task.id);
      return data.length >= 5 ? data : undefined;
    });
    expect(events.map((e) => e.to)).toEqual(['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
    await stream.close();
  });
});
