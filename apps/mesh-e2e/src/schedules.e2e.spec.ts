import { InfluxClient } from '@autocode/metrics';
import { deleteNamespaceTopics, Mesh, meshEnv, ServiceProcess, TEST_INFRA, testNamespace, waitUntil } from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { createEmptyRepo } from './sample-repo';

interface ScheduleView {
  id: string;
  enabled: boolean;
  runs: number;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastSlot: string | null;
  secondsUntilNext: number | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Schedules with two orchestrator instances on the same Redis and Kafka:
 * interval and cron schedules fire each slot once, survive a restart with
 * their catch-up policy, and take enable/disable/re-time at once.
 */
describe('schedules with two orchestrators', () => {
  const namespace = testNamespace('sched');
  const influx = new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase });
  let sample: ReturnType<typeof createEmptyRepo>;
  let mesh: Mesh;
  let second: ServiceProcess;
  let api: OrchestratorApi;
  let api2: OrchestratorApi;
  const startedAt = Date.now();

  beforeAll(async () => {
    sample = createEmptyRepo();
    const orchestratorEnv = { CYCLE_INTERVAL_MINUTES: '0' };
    mesh = await Mesh.start({
      namespace,
      targetRepository: sample.path,
      services: ['orchestrator', 'generation-node'],
      env: { orchestrator: orchestratorEnv, 'generation-node': { WORKER_CAPACITY: '20' } },
    });
    second = await ServiceProcess.start('orchestrator', {
      ...meshEnv(namespace, sample.path),
      ...orchestratorEnv,
      INSTANCE_ID: `orchestrator-b-${namespace}`,
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    api2 = new OrchestratorApi(second.url);
    await waitUntil('noop to be known', async () => (await api.get<{ items: Array<{ name: string }> }>('/api/task-types')).body.items.some((t) => t.name === 'noop'));
  });

  afterAll(async () => {
    await second?.stop();
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    sample?.remove();
  });

  const schedule = async (id: string) => (await api.get<ScheduleView>(`/api/schedules/${id}`)).body;
  const tasksOf = async (id: string) =>
    (await api.get<{ items: TaskView[] }>(`/api/tasks?correlationId=schedule:${id}&limit=500`)).body.items;
  const firings = async (id: string) =>
    (await influx.query<{ count: number }>(`SELECT count("lateness_ms") FROM "schedule_fired" WHERE "schedule_id" = '${id}' AND time >= ${startedAt}ms`))[0]?.count ?? 0;

  it('fires an interval schedule once per slot although two instances watch it', async () => {
    const created = await api.post('/api/schedules', {
      id: 'every-second',
      timing: { kind: 'interval', everyMs: 1000 },
      target: { kind: 'task', task: { type: 'noop', priority: 'LOW' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'every-second', enabled: true, runs: 0 });
    // The other instance sees the same schedule.
    expect((await api2.get<ScheduleView>('/api/schedules/every-second')).body.id).toBe('every-second');

    // How punctual the firings are is a benchmark (bench/task-core/schedule-precision); here: once per slot.
    await waitUntil('five runs', async () => (await schedule('every-second')).runs >= 5, { timeoutMs: 30_000 });
    expect((await schedule('every-second')).secondsUntilNext).toBeLessThanOrEqual(1);
    await api.post('/api/schedules/every-second/disable', {});
    const { runs } = await schedule('every-second');
    // One task and one firing per slot: a double firing would show in either count.
    await waitUntil('the metrics of every firing', async () => (await firings('every-second')) >= runs, { timeoutMs: 10_000 });
    const tasks = await tasksOf('every-second');
    expect(await firings('every-second')).toBe(runs);
    expect(tasks).toHaveLength(runs);
    const histories = await Promise.all(tasks.map(async (t) => (await api.get<TaskView>(`/api/tasks/${t.id}`)).body.history));
    const slots = new Set(histories.map((history) => history[0].reason));
    expect(slots.size).toBe(runs);
    expect([...slots].every((reason) => /^slot \d{4}-\d\d-\d\dT/.test(reason))).toBe(true);
  });

  it('fires a cron schedule with a time zone on whole seconds', async () => {
    await api.post('/api/schedules', {
      id: 'cron-madrid',
      timing: { kind: 'cron', expression: '*/2 * * * * *', timezone: 'Europe/Madrid' },
      target: { kind: 'task', task: { type: 'noop' } },
    });
    const first = await schedule('cron-madrid');
    expect(new Date(first.nextRunAt!).getUTCMilliseconds()).toBe(0);
    expect(new Date(first.nextRunAt!).getUTCSeconds() % 2).toBe(0);
    await waitUntil('two cron runs', async () => (await schedule('cron-madrid')).runs >= 2, { timeoutMs: 15_000 });
    const tasks = await tasksOf('cron-madrid');
    expect(tasks.length).toBeGreaterThanOrEqual(2);
    await api.post('/api/schedules/cron-madrid/disable', {});
  });

  it('takes disable, enable and re-timing at once', async () => {
    await api.post('/api/schedules', {
      id: 'retimed',
      timing: { kind: 'interval', everyMs: 60_000 },
      target: { kind: 'task', task: { type: 'noop' } },
    });
    expect((await schedule('retimed')).secondsUntilNext).toBeGreaterThan(50);

    const patched = await api.post('/api/schedules/retimed/disable', {});
    expect(patched.body).toMatchObject({ enabled: false, secondsUntilNext: null });
    const retimed = await fetch(`${mesh.orchestratorUrl}/api/schedules/retimed`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...api.authHeaders },
      body: JSON.stringify({ timing: { kind: 'interval', everyMs: 500 } }),
    });
    expect(retimed.status).toBe(200);
    await sleep(1500);
    expect((await schedule('retimed')).runs).toBe(0); // still disabled

    await api.post('/api/schedules/retimed/enable', {});
    await waitUntil('runs every half second', async () => (await schedule('retimed')).runs >= 3, { timeoutMs: 10_000 });
    await api.post('/api/schedules/retimed/disable', {});
    const runs = (await schedule('retimed')).runs;
    await sleep(1500);
    expect((await schedule('retimed')).runs).toBe(runs);

    expect((await fetch(`${mesh.orchestratorUrl}/api/schedules/retimed`, { method: 'DELETE', headers: api.authHeaders })).status).toBe(204);
    expect((await api.get('/api/schedules/retimed')).status).toBe(404);
  });

  it('survives a restart of every orchestrator and applies its catch-up policy to the missed slots', async () => {
    for (const [id, catchUp] of [['catch-up-once', 'once'], ['catch-up-skip', 'skip']] as const) {
      await api.post('/api/schedules', {
        id,
        timing: { kind: 'interval', everyMs: 1000 },
        target: { kind: 'task', task: { type: 'noop' } },
        catchUp,
        misfireGraceSeconds: 1,
      });
    }
    await waitUntil('both to have run', async () => (await schedule('catch-up-once')).runs >= 1 && (await schedule('catch-up-skip')).runs >= 1);
    const before = { once: (await schedule('catch-up-once')).runs, skip: (await schedule('catch-up-skip')).runs };

    await Promise.all([mesh.service('orchestrator').stop(), second.stop()]);
    const stoppedAt = Date.now();
    await sleep(4000);
    const restartedAt = Date.now();
    await mesh.service('orchestrator').restart();

    // After the restart: a single run makes up for all missed slots ('once'), none do ('skip'),
    // then both go on once a second.
    await waitUntil('the schedules to run again', async () => (await schedule('catch-up-skip')).runs > before.skip && (await schedule('catch-up-once')).runs > before.once, { timeoutMs: 30_000 });
    for (const id of ['catch-up-once', 'catch-up-skip']) await api.post(`/api/schedules/${id}/disable`, {});
    const created = (t: TaskView) => Date.parse(t.createdAt!);
    for (const id of ['catch-up-once', 'catch-up-skip']) {
      const tasks = await tasksOf(id);
      // Nothing fired while every instance was down, and each run made exactly one task.
      expect(tasks.filter((t) => created(t) > stoppedAt + 200 && created(t) < restartedAt)).toHaveLength(0);
      expect((await schedule(id)).runs).toBe(tasks.length);
      const after = tasks.filter((t) => created(t) >= restartedAt);
      expect(after.length).toBeGreaterThanOrEqual(1);
      // The four or more slots missed while down were not replayed: at most one run per second since the first
      // firing after the restart, plus the one that stands for the missed slots ('once') or the on-time one.
      const span = (Math.max(...after.map(created)) - Math.min(...after.map(created))) / 1000;
      expect(after.length).toBeLessThanOrEqual(Math.floor(span) + 2);
    }
    second = await ServiceProcess.start('orchestrator', { ...meshEnv(namespace, sample.path), CYCLE_INTERVAL_MINUTES: '0', INSTANCE_ID: `orchestrator-c-${namespace}` });
  });

  it('refuses bad schedules with the field named', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: 'Bad Id', timing: { kind: 'interval', everyMs: 1000 }, target: { kind: 'task', task: { type: 'noop' } } }, 'body.id'],
      [{ id: 'x', timing: { kind: 'cron', expression: 'not cron' }, target: { kind: 'task', task: { type: 'noop' } } }, 'body.timing.expression'],
      [{ id: 'x', timing: { kind: 'cron', expression: '* * * * *', timezone: 'Mars/Olympus' }, target: { kind: 'task', task: { type: 'noop' } } }, 'body.timing.timezone'],
      [{ id: 'x', timing: { kind: 'interval', everyMs: 5 }, target: { kind: 'task', task: { type: 'noop' } } }, 'body.timing.everyMs'],
      [{ id: 'x', timing: { kind: 'weekly' }, target: { kind: 'task', task: { type: 'noop' } } }, 'body.timing'],
    ];
    for (const [body, field] of cases) {
      const response = await api.post('/api/schedules', body);
      expect(response.status).toBe(400);
      expect(String(response.body.message)).toContain(field);
    }
    const dup = await api.post('/api/schedules', { id: 'every-second', timing: { kind: 'interval', everyMs: 1000 }, target: { kind: 'task', task: { type: 'noop' } } });
    expect(dup.status).toBe(409);
  });
});
