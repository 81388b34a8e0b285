import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@autocode/contracts';
import { deleteNamespaceTopics, Mesh, meshEnv, ServiceProcess, TEST_INFRA, testNamespace, TopicObserver, waitUntil } from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';

const TASKS = 50;

/**
 * Scale-out: two generation-node processes share one pool through their
 * consumer group. Fifty real `generate` tasks (Prettier on one file each,
 * in the sandbox) all complete, each exactly once: one result on the
 * task.result topic, one RUNNING and one COMPLETED in its history — and
 * both nodes took part.
 */
describe('two generation nodes, fifty tasks', () => {
  const namespace = testNamespace('gscale');
  const observer = TopicObserver.create(TEST_INFRA.kafkaBrokers, namespace);
  const nodeEnv = { WORKER_CAPACITY: '2', WORKER_HEARTBEAT_INTERVAL_MS: '500', SANDBOX_MODE: 'bubblewrap' };
  let root: string;
  let repo: { path: string; commit: string };
  let mesh: Mesh;
  let second: ServiceProcess;
  let api: OrchestratorApi;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'autocode-gscale-'));
    const path = join(root, 'repo');
    mkdirSync(join(path, 'src'), { recursive: true });
    writeFileSync(join(path, 'package.json'), JSON.stringify({ name: 'many-files', type: 'module' }));
    // No formatter of its own: it asks for the default Prettier (format imposes none otherwise).
    writeFileSync(join(path, 'autocode.yaml'), 'tools:\n  prettier: default\n');
    for (let i = 0; i < TASKS; i += 1) writeFileSync(join(path, `src/m${i}.js`), `export function f${i}(a,b){return a+b+${i}}\n`);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=E2E', '-c', 'user.email=e2e@autocode.invalid', ...args], { cwd: path, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'fifty unformatted modules');
    repo = { path, commit: git('rev-parse', 'HEAD') };

    await observer.start([TOPICS.taskResult, TOPICS.taskLifecycle]);
    mesh = await Mesh.start({
      namespace,
      targetRepository: repo.path,
      services: ['orchestrator', 'generation-node'],
      env: { orchestrator: { CYCLE_INTERVAL_MINUTES: '0' }, 'generation-node': { ...nodeEnv, INSTANCE_ID: `gen-a-${namespace}` } },
    });
    second = await ServiceProcess.start('generation-node', { ...meshEnv(namespace, repo.path), ...nodeEnv, INSTANCE_ID: `gen-b-${namespace}` });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    await waitUntil('both generation nodes in the pool', async () => {
      const { body } = await api.get<{ items: Array<{ pool: string }> }>('/api/workers');
      return body.items.filter((w) => w.pool === 'generation').length === 2;
    });
  });

  afterAll(async () => {
    await second?.stop();
    await mesh?.stop();
    await observer.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    rmSync(root, { recursive: true, force: true });
  });

  it('completes every task exactly once, spread over both nodes', async () => {
    const created = await api.post('/api/tasks/bulk', {
      tasks: Array.from({ length: TASKS }, (_, i) => ({
        type: 'generate',
        correlationId: `scale-${namespace}`,
        params: {
          repository: repo.path,
          commit: repo.commit,
          opportunity: {
            fingerprint: i.toString(16).padStart(16, '0'),
            kind: 'unformatted-file',
            title: `format src/m${i}.js`,
            description: '',
            priority: 'LOW',
            files: [`src/m${i}.js`],
            generator: 'format',
          },
        },
      })),
    });
    expect(created.status).toBe(201);
    const ids = (created.body.tasks as Array<{ id: string }>).map((t) => t.id);
    expect(new Set(ids).size).toBe(TASKS);

    const tasks = await waitUntil(
      `all ${TASKS} generate tasks to finish`,
      async () => {
        const all = await Promise.all(ids.map(async (id) => (await api.get<TaskView>(`/api/tasks/${id}`)).body));
        return all.every((t) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(t.state)) ? all : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 1000 },
    );

    // All complete, each with the patch for its own file, on the first attempt.
    expect(tasks.filter((t) => t.state !== 'COMPLETED').map((t) => ({ id: t.id, state: t.state, error: t.error }))).toEqual([]);
    tasks.forEach((task, i) => {
      expect(task.attempt).toBe(1);
      const output = task.output as { outcome: string; patch: { filesChanged: number; diff: string } };
      expect(output).toMatchObject({ outcome: 'patch', patch: { filesChanged: 1 } });
      expect(output.patch.diff).toContain(`diff --git a/src/m${i}.js b/src/m${i}.js`);
      // Ran once: one RUNNING, one COMPLETED, no retry in between.
      const states = task.history.map((h) => h.to);
      expect(states.filter((s) => s === 'RUNNING')).toHaveLength(1);
      expect(states.filter((s) => s === 'COMPLETED')).toHaveLength(1);
      expect(states).not.toContain('RETRYING');
    });

    // On the wire: exactly one finished result per task (a `rejected` assignment is a no, not a run).
    const results = await waitUntil('every result on the task.result topic', () => {
      const mine = observer
        .all(TOPICS.taskResult)
        .map((m) => (m.json as { payload: { taskId: string; outcome: string; workerId: string } }).payload)
        .filter((p) => ids.includes(p.taskId) && p.outcome !== 'rejected');
      return new Set(mine.map((p) => p.taskId)).size === TASKS ? mine : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // a duplicate would arrive within this
    const finished = observer
      .all(TOPICS.taskResult)
      .map((m) => (m.json as { payload: { taskId: string; outcome: string; workerId: string } }).payload)
      .filter((p) => ids.includes(p.taskId) && p.outcome !== 'rejected');
    expect(finished).toHaveLength(TASKS);
    expect(finished.every((p) => p.outcome === 'succeeded')).toBe(true);
    const completedEvents = observer.all(TOPICS.taskLifecycle).filter((m) => {
      const p = (m.json as { payload: { taskId: string; to: string } }).payload;
      return ids.includes(p.taskId) && p.to === 'COMPLETED';
    });
    expect(completedEvents).toHaveLength(TASKS);

    // Both nodes worked.
    const perNode = new Map<string, number>();
    for (const result of results) perNode.set(result.workerId, (perNode.get(result.workerId) ?? 0) + 1);
    expect([...perNode.keys()].sort()).toEqual([`gen-a-${namespace}`, `gen-b-${namespace}`]);
    for (const count of perNode.values()) expect(count).toBeGreaterThanOrEqual(5);
  });
});
