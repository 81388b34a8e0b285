import { TOPICS } from '@autocode/contracts';
import {
  deleteNamespaceTopics,
  Mesh,
  meshEnv,
  ServiceProcess,
  TEST_INFRA,
  testNamespace,
  TopicObserver,
  waitUntil,
} from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { createEmptyRepo } from './sample-repo';

/**
 * Processes die; work does not get lost or done twice. A generation node
 * killed with SIGKILL mid-task has its task re-dispatched (resuming from its
 * checkpoint) and finished once; an orchestrator killed while tasks are
 * queued and running loses none of them.
 */
describe('failover', () => {
  const namespace = testNamespace('fail');
  const observer = TopicObserver.create(TEST_INFRA.kafkaBrokers, namespace);
  let repo: ReturnType<typeof createEmptyRepo>;
  let mesh: Mesh;
  let extraNode: ServiceProcess;
  let api: OrchestratorApi;
  const nodeEnv = { WORKER_CAPACITY: '2', WORKER_HEARTBEAT_INTERVAL_MS: '300' };

  beforeAll(async () => {
    repo = createEmptyRepo();
    await observer.start([TOPICS.taskLifecycle, TOPICS.taskResult]);
    mesh = await Mesh.start({
      namespace,
      targetRepository: repo.path,
      services: ['orchestrator', 'generation-node'],
      env: { orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WORKER_SILENCE_TIMEOUT_MS: '2000' }, 'generation-node': nodeEnv },
    });
    extraNode = await ServiceProcess.start('generation-node', { ...meshEnv(namespace, repo.path), ...nodeEnv, INSTANCE_ID: `node-b-${namespace}` });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    await waitUntil('two generation workers', async () => {
      const { body } = await api.get<{ items: Array<{ pool: string }> }>('/api/workers');
      return body.items.filter((w) => w.pool === 'generation').length === 2;
    });
  });

  afterAll(async () => {
    await extraNode?.stop();
    await mesh?.stop();
    await observer.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    repo?.remove();
  });

  const full = async (id: string) => (await api.get<TaskView>(`/api/tasks/${id}`)).body;
  const completions = (taskId: string) =>
    observer.all(TOPICS.taskLifecycle).filter((m) => {
      const p = (m.json as { payload: { taskId: string; to: string } }).payload;
      return p.taskId === taskId && p.to === 'COMPLETED';
    });

  it('re-dispatches the task of a generation node killed with SIGKILL; it resumes and completes once', async () => {
    const task = await api.createTask({ type: 'sleep', params: { ms: 6000, steps: 12 } });
    const running = await waitUntil('the task to be running with progress', async () => {
      const t = await full(task.id);
      const progress = t.progress as { percent: number } | null;
      return t.state === 'RUNNING' && (progress?.percent ?? 0) >= 20 ? t : undefined;
    });
    const nodes = new Map([
      [`generation-node-${namespace}`, mesh.service('generation-node')],
      [`node-b-${namespace}`, extraNode],
    ]);
    const victim = nodes.get(running.workerId as string);
    expect(victim).toBeDefined();
    await victim!.kill();

    const done = await api.waitForTaskState(task.id, ['COMPLETED', 'FAILED'], 90_000);
    const finished = await full(done.id);
    expect(finished.state).toBe('COMPLETED');
    const trail = finished.history.map((h) => h.to);
    expect(trail.filter((s) => s === 'COMPLETED')).toHaveLength(1);
    const lost = finished.history.find((h) => h.to === 'RETRYING');
    expect(lost?.reason).toContain('stopped sending heartbeats');
    expect(finished.attempt).toBe(2);
    expect(finished.workerId).not.toBe(running.workerId);
    expect((finished.output as { resumedFromStep: number }).resumedFromStep).toBeGreaterThanOrEqual(2);
    // Exactly one completion went out on the lifecycle topic.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(completions(task.id)).toHaveLength(1);

    // The killed node comes back as a new worker; the pool is whole again.
    if (victim === extraNode) extraNode = await ServiceProcess.start('generation-node', { ...meshEnv(namespace, repo.path), ...nodeEnv, INSTANCE_ID: `node-c-${namespace}` });
    else await mesh.service('generation-node').restart();
  });

  it('loses no queued or running task when the orchestrator is killed and restarted', async () => {
    const created = await api.post('/api/tasks/bulk', {
      tasks: Array.from({ length: 20 }, () => ({ type: 'sleep', params: { ms: 600, steps: 3 } })),
    });
    expect(created.status).toBe(201);
    const ids = (created.body.tasks as Array<{ id: string }>).map((t) => t.id);
    await waitUntil('some tasks running, others queued', async () => {
      const tasks = await Promise.all(ids.map(full));
      return tasks.some((t) => t.state === 'RUNNING') && tasks.some((t) => t.state === 'QUEUED');
    });

    await mesh.service('orchestrator').kill();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // workers finish and report meanwhile
    await mesh.service('orchestrator').restart();

    const finished = await Promise.all(ids.map((id) => api.waitForTaskState(id, ['COMPLETED', 'FAILED', 'CANCELLED'], 120_000)));
    expect(finished.map((t) => t.state)).toEqual(ids.map(() => 'COMPLETED'));
    for (const id of ids) {
      const t = await full(id);
      expect(t.history.filter((h) => h.to === 'COMPLETED')).toHaveLength(1);
    }
    await waitUntil('every completion on the lifecycle topic', () => ids.every((id) => completions(id).length >= 1));
  });
});
