import { Module, type OnModuleInit, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { PlatformModule } from '@autocode/platform';
import { baseEnvSchema, envFields, loadConfig, ServiceRunner } from '@autocode/runtime';
import { deleteNamespaceTopics, Mesh, meshEnv, TEST_INFRA, testNamespace, waitUntil } from '@autocode/testing';
import { defineTaskHandler, WorkerModule, WorkerRuntime, workerEnvFields, workerOptionsFrom } from '@autocode/worker';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { createEmptyRepo } from './sample-repo';

interface NodeView {
  nodeId: string;
  status: string;
  taskId: string | null;
  reason: string | null;
  output: unknown;
  attempts: number;
}
interface RunView {
  id: string;
  status: string;
  nodes: NodeView[];
}

const sleepNode = (id: string, ms: number, extra: Record<string, unknown> = {}) => ({ id, type: 'sleep', params: { ms, steps: 2 }, ...extra });

/**
 * DAG workflows on the mesh: validation over REST, parallel branches,
 * failures that skip dependents, references and conditions, cancel / pause
 * / resume, a run that survives an orchestrator restart, and a task type
 * brought by a new worker while the orchestrator keeps running.
 */
describe('workflows', () => {
  const namespace = testNamespace('wf');
  let repo: ReturnType<typeof createEmptyRepo>;
  let mesh: Mesh;
  let api: OrchestratorApi;

  beforeAll(async () => {
    repo = createEmptyRepo();
    mesh = await Mesh.start({
      namespace,
      targetRepository: repo.path,
      services: ['orchestrator', 'generation-node'],
      env: { orchestrator: { CYCLE_INTERVAL_MINUTES: '0' }, 'generation-node': { WORKER_CAPACITY: '4' } },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    await waitUntil('sleep and delay to be known', async () => {
      const { body } = await api.get<{ items: Array<{ name: string }> }>('/api/task-types');
      return ['sleep', 'delay', 'http_request', 'notify'].every((t) => body.items.some((i) => i.name === t));
    });
  });

  afterAll(async () => {
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    repo?.remove();
  });

  const register = (definition: Record<string, unknown>) => api.post('/api/workflows', definition);
  const startRun = async (name: string, params: Record<string, unknown> = {}) => {
    const { status, body } = await api.post(`/api/workflows/${name}/runs`, { params });
    if (status !== 201) throw new Error(`run refused: ${status} ${JSON.stringify(body)}`);
    return body as unknown as RunView;
  };
  const runOf = async (id: string) => (await api.get<RunView>(`/api/workflow-runs/${id}`)).body;
  const finished = (id: string) =>
    waitUntil(`run ${id} to finish`, async () => {
      const run = await runOf(id);
      return ['SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'].includes(run.status) ? run : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250 });
  const node = (run: RunView, id: string) => run.nodes.find((n) => n.nodeId === id)!;
  const task = async (run: RunView, id: string) => (await api.get<TaskView & { startedAt: string; finishedAt: string; params: Record<string, unknown> }>(`/api/tasks/${node(run, id).taskId}`)).body;

  it('publishes its definition schema and refuses invalid definitions, naming the node', async () => {
    const schema = await api.get<{ properties: Record<string, unknown> }>('/api/workflows/schema');
    expect(schema.body.properties).toHaveProperty('nodes');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'bad', nodes: [sleepNode('a', 1, { type: 'teleport' })] }, 'node \\"a\\": unknown task type \\"teleport\\"'],
      [{ name: 'bad', nodes: [sleepNode('a', 1, { dependsOn: ['ghost'] })] }, 'node \\"a\\": depends on \\"ghost\\"'],
      [{ name: 'bad', nodes: [sleepNode('a', 1), sleepNode('a', 1)] }, 'node \\"a\\": duplicate id'],
      [{ name: 'bad', nodes: [sleepNode('a', 1, { dependsOn: ['b'] }), sleepNode('b', 1, { dependsOn: ['a'] })] }, 'cycle: '],
      [{ name: 'bad', nodes: [sleepNode('a', -5)] }, 'node \\"a\\": params.ms'],
      [{ name: 'bad', maxDurationSeconds: 60 * 24 * 3600, nodes: [sleepNode('a', 1)] }, 'maxDurationSeconds'],
      [{ name: 'Bad Name', nodes: [sleepNode('a', 1)] }, 'body.name'],
      // Run params are checked with linear-time patterns: one that engine cannot run is refused at registration.
      [{ name: 'bad', paramsSchema: { type: 'object', properties: { id: { type: 'string', pattern: '^(a)\\1$' } } }, nodes: [sleepNode('a', 1)] }, 'paramsSchema: '],
    ];
    for (const [definition, message] of cases) {
      const response = await fetch(`${mesh.orchestratorUrl}/api/workflows`, { method: 'POST', headers: { 'content-type': 'application/json', ...api.authHeaders }, body: JSON.stringify(definition) });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain(message);
    }
    expect((await api.get('/api/workflows/bad')).status).toBe(404);
  });

  it('runs independent branches in parallel and joins them', async () => {
    const registered = await register({
      name: 'diamond',
      nodes: [sleepNode('a', 200), sleepNode('b', 1500, { dependsOn: ['a'] }), sleepNode('c', 1500, { dependsOn: ['a'] }), sleepNode('d', 10, { dependsOn: ['b', 'c'] })],
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ name: 'diamond', version: 1 });

    const run = await finished((await startRun('diamond')).id);
    expect(run.status).toBe('SUCCESS');
    const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map((id) => task(run, id)));
    const t = (x: { startedAt: string; finishedAt: string }) => ({ start: Date.parse(x.startedAt), end: Date.parse(x.finishedAt) });
    // b and c overlap in time; both start after a ends; d starts after both end.
    expect(t(b).start).toBeLessThan(t(c).end);
    expect(t(c).start).toBeLessThan(t(b).end);
    expect(Math.min(t(b).start, t(c).start)).toBeGreaterThanOrEqual(t(a).end);
    expect(t(d).start).toBeGreaterThanOrEqual(Math.max(t(b).end, t(c).end));
  });

  it('skips the dependents of a failed node, completes the unrelated branch, and ends PARTIAL_SUCCESS', async () => {
    await register({
      name: 'one-branch-fails',
      nodes: [
        sleepNode('start', 10),
        sleepNode('doomed', 10, { dependsOn: ['start'], params: { ms: 10, failAttempts: 9 }, retry: { maxRetries: 1, initialDelayMs: 50, jitter: false } }),
        sleepNode('after_doomed', 10, { dependsOn: ['doomed'] }),
        sleepNode('after_that', 10, { dependsOn: ['after_doomed'] }),
        sleepNode('unrelated', 300, { dependsOn: ['start'] }),
      ],
    });
    const run = await finished((await startRun('one-branch-fails')).id);
    expect(run.status).toBe('PARTIAL_SUCCESS');
    expect(node(run, 'doomed')).toMatchObject({ status: 'FAILED', attempts: 2 });
    expect(node(run, 'after_doomed')).toMatchObject({ status: 'SKIPPED', reason: 'dependency "doomed" failed', taskId: null });
    expect(node(run, 'after_that')).toMatchObject({ status: 'SKIPPED', reason: 'dependency "after_doomed" was skipped' });
    expect(node(run, 'unrelated').status).toBe('SUCCESS');
  });

  it('hands outputs downstream through references and honours conditions', async () => {
    await register({
      name: 'references',
      paramsSchema: { type: 'object', required: ['seconds'], properties: { seconds: { type: 'number' } } },
      nodes: [
        { id: 'wait', type: 'delay', params: { seconds: { $ref: 'run.params.seconds' } } },
        { id: 'echo', type: 'sleep', dependsOn: ['wait'], params: { ms: { $ref: 'nodes.wait.output.waitedMs' }, steps: 1 } },
        { id: 'never', type: 'sleep', dependsOn: ['wait'], when: { ref: 'nodes.wait.output.waitedMs', equals: -1 }, params: { ms: 1 } },
        { id: 'after_never', type: 'sleep', dependsOn: ['never'], params: { ms: 1 } },
      ],
    });
    expect((await api.post('/api/workflows/references/runs', { params: { seconds: 'soon' } })).status).toBe(400);
    const run = await finished((await startRun('references', { seconds: 0.2 })).id);
    expect(run.status).toBe('SUCCESS');
    const waited = (node(run, 'wait').output as { waitedMs: number }).waitedMs;
    expect(waited).toBeGreaterThanOrEqual(200);
    expect((await task(run, 'echo')).params).toMatchObject({ ms: waited });
    expect(node(run, 'never')).toMatchObject({ status: 'SKIPPED', reason: 'its condition did not hold' });
    expect(node(run, 'after_never').status).toBe('SKIPPED');
  });

  it('cancels a run, and pauses and resumes one', async () => {
    await register({ name: 'slow-chain', nodes: [sleepNode('one', 1500), sleepNode('two', 1500, { dependsOn: ['one'] })] });
    const cancelled = await startRun('slow-chain');
    await waitUntil('the first node to run', async () => node(await runOf(cancelled.id), 'one').status === 'RUNNING');
    expect((await api.post(`/api/workflow-runs/${cancelled.id}/cancel`, {})).body).toMatchObject({ status: 'CANCELLED' });
    const afterCancel = await runOf(cancelled.id);
    expect(afterCancel.nodes.map((n) => n.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect((await task(afterCancel, 'one')).state).toBe('CANCELLED');
    expect((await api.post(`/api/workflow-runs/${cancelled.id}/resume`, {})).status).toBe(409);

    const paused = await startRun('slow-chain');
    await waitUntil('the first node to run', async () => node(await runOf(paused.id), 'one').status === 'RUNNING');
    expect((await api.post(`/api/workflow-runs/${paused.id}/pause`, {})).body).toMatchObject({ status: 'PAUSED' });
    await waitUntil('its task to be paused', async () => (await task(await runOf(paused.id), 'one')).state === 'PAUSED');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(node(await runOf(paused.id), 'two').status).toBe('PENDING');
    expect((await api.post(`/api/workflow-runs/${paused.id}/resume`, {})).body).toMatchObject({ status: 'RUNNING' });
    const done = await finished(paused.id);
    expect(done.status).toBe('SUCCESS');
    expect(node(done, 'one').attempts).toBe(2);
  });

  it('finishes a run after the orchestrator is killed mid-run, with every node executed once', async () => {
    await register({
      name: 'survivor',
      nodes: [sleepNode('first', 1500), sleepNode('left', 1000, { dependsOn: ['first'] }), sleepNode('right', 1000, { dependsOn: ['first'] }), sleepNode('last', 200, { dependsOn: ['left', 'right'] })],
    });
    const started = await startRun('survivor');
    await waitUntil('the first node to run', async () => node(await runOf(started.id), 'first').status === 'RUNNING');
    await mesh.service('orchestrator').kill();
    await new Promise((resolve) => setTimeout(resolve, 2000)); // "first" finishes on its worker meanwhile
    await mesh.service('orchestrator').restart();

    const run = await finished(started.id);
    expect(run.status).toBe('SUCCESS');
    for (const id of ['first', 'left', 'right', 'last']) {
      const t = await task(run, id);
      // On a mismatch, the trail says why.
      const trail = t.attempt === 1 ? 'one attempt' : t.history.map((h) => `${h.to} by ${h.actor}: ${h.reason}`).join(' | ');
      expect({ id, attempts: t.attempt, completions: t.history.filter((h) => h.to === 'COMPLETED').length, trail }).toEqual({ id, attempts: 1, completions: 1, trail: 'one attempt' });
    }
  });

  it('runs a task type that a new worker brings, without restarting the orchestrator', async () => {
    const refused = await register({ name: 'shouting', nodes: [{ id: 'shout', type: 'shout', params: { text: 'hello' } }] });
    expect(refused.status).toBe(400);
    expect(String(refused.body.message)).toContain('unknown task type "shout"');

    const worker = await startShoutWorker(namespace, repo.path);
    try {
      await waitUntil('shout to be announced', async () => (await api.get<{ items: Array<{ name: string; pool: string }> }>('/api/task-types')).body.items.some((t) => t.name === 'shout'));
      expect((await register({ name: 'shouting', nodes: [{ id: 'shout', type: 'shout', params: { text: 'hello' } }] })).status).toBe(201);
      const run = await finished((await startRun('shouting')).id);
      expect(run.status).toBe('SUCCESS');
      expect(node(run, 'shout').output).toEqual({ text: 'HELLO' });
    } finally {
      await worker.close();
    }
  });
});

/** A worker of the generation pool with one extra task type, run in the test process as its own Nest application. */
async function startShoutWorker(namespace: string, repo: string): Promise<INestApplication> {
  const shout = defineTaskHandler({
    name: 'shout',
    displayName: 'Shout',
    description: 'Upper-cases a text.',
    category: 'test',
    params: z.strictObject({ text: z.string() }),
    output: z.strictObject({ text: z.string() }),
    timeLimitSeconds: 30,
    retry: { maxRetries: 0, initialDelayMs: 0, factor: 1, maxDelayMs: 0, jitter: false },
    run: async ({ text }) => ({ text: text.toUpperCase() }),
  });
  @Module({})
  class ShoutModule implements OnModuleInit {
    constructor(private readonly worker: WorkerRuntime) {}
    onModuleInit(): void {
      this.worker.register(shout);
    }
  }
  const config = loadConfig('shout-worker', baseEnvSchema.extend({ ...workerEnvFields, HTTP_PORT: envFields.port(0) }), {
    ...meshEnv(namespace, repo),
    INSTANCE_ID: `shout-${namespace}`,
    LOG_LEVEL: 'silent',
  });
  @Module({ imports: [PlatformModule.forRoot('shout-worker', config), WorkerModule.forRoot(workerOptionsFrom('generation', config)), ShoutModule] })
  class ShoutWorkerApp {}
  const app = await NestFactory.create(ShoutWorkerApp, { logger: false });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  await app.get(ServiceRunner).startAll();
  return app;
}
