import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newLeaseToken, planOutputSchema, SIGNATURE_HEADER, signPayload, TOPICS } from '@autocode/contracts';
import {
  deleteNamespaceTopics,
  Mesh,
  publishRaw,
  TEST_INFRA,
  ServiceProcess,
  testNamespace,
  ThrowawayKafka,
  ThrowawayRedis,
  TopicObserver,
  waitUntil,
  meshEnv,
  TEST_MESH_SECRET,
} from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { createSampleRepo } from './sample-repo';
import { npmLockfile } from '@autocode/testing';

interface Readiness {
  status: string;
  components: Array<{ name: string; status: string; error?: string; details?: Record<string, unknown> }>;
}

/**
 * Readiness follows the dependencies: it drops when Redis or Kafka goes away
 * and comes back, with consumers working again, when they return. The test
 * runs its own Redis and Kafka so it can stop them without disturbing others.
 */
describe('readiness', () => {
  const namespace = testNamespace('ready');
  let redis: ThrowawayRedis;
  let kafka: ThrowawayKafka;
  let planner: ServiceProcess;
  let sample: ReturnType<typeof createSampleRepo>;

  beforeAll(async () => {
    sample = createSampleRepo();
    [redis, kafka] = await Promise.all([ThrowawayRedis.start(), ThrowawayKafka.start()]);
    planner = await ServiceProcess.start('planner', {
      ...meshEnv(namespace, sample.path),
      REDIS_URL: redis.url,
      KAFKA_BROKERS: kafka.brokers,
      INSTANCE_ID: `planner-${namespace}`,
    });
  });

  afterAll(async () => {
    await planner?.stop();
    await kafka?.destroy();
    await redis?.halt();
    sample?.remove();
  });

  const readiness = async (): Promise<{ code: number; body: Readiness }> => {
    const response = await fetch(`${planner.url}/health/ready`);
    return { code: response.status, body: (await response.json()) as Readiness };
  };
  const componentStatus = (body: Readiness, name: string) => body.components.find((c) => c.name === name)?.status;

  it('goes unready without Redis and ready again when it returns', async () => {
    expect((await readiness()).code).toBe(200);
    await redis.halt();
    const down = await waitUntil('unready without redis', async () => {
      const r = await readiness();
      return r.code === 503 ? r : undefined;
    });
    expect(componentStatus(down.body, 'redis')).toBe('down');
    expect((await fetch(`${planner.url}/health/live`)).status).toBe(200);

    await redis.resume();
    await waitUntil('ready with redis back', async () => (await readiness()).code === 200, { timeoutMs: 30_000 });
  });

  it('goes unready without Kafka and, once it returns, is ready and consuming again', async () => {
    await kafka.halt();
    const down = await waitUntil('unready without kafka', async () => {
      const r = await readiness();
      return r.code === 503 ? r : undefined;
    });
    expect(componentStatus(down.body, 'kafka')).toBe('down');

    await kafka.resume();
    await waitUntil('ready with kafka back', async () => (await readiness()).code === 200, { timeoutMs: 90_000, intervalMs: 500 });

    // Healed, not just answering: an assignment is still served.
    const observer = TopicObserver.create(kafka.brokers, namespace);
    await observer.start([TOPICS.taskResult, TOPICS.workerHeartbeat]);
    try {
      const beat = await observer.waitFor('a heartbeat after the outage', (m) => m.topic === TOPICS.workerHeartbeat, 30_000);
      const { workerId, partitions } = (beat.json as { payload: { workerId: string; partitions: number[] } }).payload;
      const taskId = `tsk_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
      const assignment = {
        id: randomUUID(),
        type: 'planning.requested',
        schemaVersion: 1,
        occurredAt: new Date().toISOString(),
        correlationId: taskId,
        causationId: null,
        producer: 'readiness-test',
        payload: {
          taskId,
          attempt: 1,
          type: 'plan',
          pool: 'planning',
          workerId,
          leaseToken: newLeaseToken(),
          priority: 'HIGH',
          params: { repository: sample.path, ref: 'HEAD', lookbackHours: 48 },
          deadline: new Date(Date.now() + 60_000).toISOString(),
          checkpoint: null,
        },
      };
      // Signed with the mesh secret, as the orchestrator signs assignments: the planner runs nothing else.
      const signature = { [SIGNATURE_HEADER]: signPayload(assignment.type, assignment.payload, TEST_MESH_SECRET) };
      await publishRaw(kafka.brokers, `${namespace}.${TOPICS.planningRequested}`, [JSON.stringify(assignment)], partitions[0], signature);
      const reply = await observer.waitFor('a plan result after the outage', (m) => (m.json as { payload: { taskId?: string } }).payload.taskId === taskId, 90_000);
      expect((reply.json as { payload: { outcome: string } }).payload.outcome).toBe('succeeded');
    } finally {
      await observer.stop();
    }
  });
});


/**
 * Without an OS sandbox, repository code is refused — and readiness says
 * so — unless the operator chose SANDBOX_MODE=unsafe-rlimits, which
 * readiness reports as `degraded`, never `up`. A generation node with
 * SANDBOX_MODE=rlimits refuses a task whose ESLint configuration would
 * leave a marker; a planner with unsafe-rlimits still plans, degraded.
 */
describe('the sandbox under readiness', () => {
  const namespace = testNamespace('sbxready');
  let root: string;
  let repo: { path: string; commit: string };
  let mesh: Mesh;
  let api: OrchestratorApi;
  const marker = () => join(root, 'config-ran.marker');

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'autocode-sbxready-'));
    const path = join(root, 'repo');
    mkdirSync(join(path, 'src'), { recursive: true });
    // Its own ESLint, declared and locked: the planner and lint-autofix run no other.
    const manifest = JSON.stringify({ name: 'sbxready', type: 'module', devDependencies: { eslint: '9.39.5' } });
    writeFileSync(join(path, 'package.json'), manifest);
    writeFileSync(join(path, 'package-lock.json'), await npmLockfile(manifest));
    writeFileSync(join(path, 'src/index.js'), 'var answer = 42;\nexport { answer };\n');
    // Harmless, but it leaves a trace wherever it runs: outside the checkout, as only an unisolated run can.
    writeFileSync(join(path, 'eslint.config.js'), `import fs from 'node:fs';\ntry { fs.writeFileSync(${JSON.stringify(join(root, 'config-ran.marker'))}, 'ran'); } catch {}\nexport default [{ rules: { 'no-var': 'error' } }];\n`);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=E2E', '-c', 'user.email=e2e@autocode.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: path, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'sbxready');
    repo = { path, commit: git('rev-parse', 'HEAD') };
    mesh = await Mesh.start({
      namespace,
      targetRepository: root,
      services: ['orchestrator', 'planner', 'generation-node'],
      env: {
        orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' },
        planner: { SANDBOX_MODE: 'unsafe-rlimits' },
        'generation-node': { SANDBOX_MODE: 'rlimits' },
      },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    await waitUntil('the planner and a generation node to announce their task types', async () => {
      const { body } = await api.get<{ items: Array<{ name: string }> }>('/api/task-types');
      return ['plan', 'generate'].every((name) => body.items.some((t) => t.name === name));
    });
  });

  afterAll(async () => {
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    rmSync(root, { recursive: true, force: true });
  });

  const sandboxHealth = async (service: 'planner' | 'generation-node') => {
    const response = await fetch(`${mesh.service(service).url}/health/ready`);
    const body = (await response.json()) as Readiness;
    return { code: response.status, sandbox: body.components.find((c) => c.name === 'sandbox') };
  };

  it('reports the sandbox down on a node that refuses repository code, and degraded on one running it unisolated', async () => {
    const node = await sandboxHealth('generation-node');
    expect(node.sandbox).toMatchObject({ status: 'down', details: { isolation: 'rlimits', osSandbox: false, runsAllowed: false } });
    expect(node.sandbox?.error).toMatch(/repository code is refused/);
    const planner = await sandboxHealth('planner');
    expect(planner.sandbox).toMatchObject({ status: 'degraded', details: { osSandbox: false, runsAllowed: true, unsafe: true } });
  });

  it('refuses to run the repository code of a generate task without an OS sandbox, and says why', async () => {
    const created = await api.createTask({
      type: 'generate',
      params: {
        repository: repo.path,
        commit: repo.commit,
        opportunity: { fingerprint: 'd'.repeat(16), kind: 'lint-finding', title: 'var in src/index.js', description: '', priority: 'LOW', files: ['src/index.js'], generator: 'lint-autofix' },
      },
      retry: { maxRetries: 0 },
    });
    await api.waitForTaskState(created.id, ['COMPLETED', 'FAILED'], 120_000);
    const task = (await api.get<TaskView & { error: { message: string } | null }>(`/api/tasks/${created.id}`)).body;
    expect(task.state).toBe('FAILED');
    expect(task.error?.message).toMatch(/refusing to run repository code: no OS sandbox .*SANDBOX_MODE=unsafe-rlimits/);
    expect(existsSync(marker())).toBe(false);
  });

  it('still plans in unsafe-rlimits mode (degraded): the configuration runs, unisolated, as the operator chose', async () => {
    const created = await api.createTask({ type: 'plan', params: { repository: repo.path, ref: 'HEAD', lookbackHours: 24, kinds: ['lint-finding'] } });
    const task = await api.waitForTaskState(created.id, ['COMPLETED', 'FAILED'], 120_000);
    expect(task.state).toBe('COMPLETED');
    expect(planOutputSchema.parse(task.output).analyses?.find((a) => a.name === 'eslint')).toMatchObject({ status: 'ran', detail: expect.stringMatching(/with the repository's ESLint 9\.39\.5 with eslint\.config\.js$/) });
    // What "unsafe" means: the configuration reached outside its checkout.
    expect(existsSync(marker())).toBe(true);
  });
});
