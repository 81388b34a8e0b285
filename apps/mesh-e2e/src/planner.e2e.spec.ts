import { OPPORTUNITY_KIND_NAMES, planOutputSchema, priorityRank, type PlanOutput } from '@autocode/contracts';
import { KnowledgeBase } from '@autocode/knowledge';
import { InfluxClient } from '@autocode/metrics';
import { RedisConnection } from '@autocode/state';
import { deleteNamespaceTopics, Mesh, TEST_INFRA, testNamespace, waitUntil } from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { createSampleRepo } from './sample-repo';

/**
 * The planner as a real service: plan tasks through the orchestrator's REST
 * gateway, over Kafka, on the bundled sample repository with the real
 * Redis and InfluxDB. Every kind of opportunity is found and ranked;
 * planning again plans nothing new; an outcome recorded in the knowledge
 * base (as the orchestrator does when a validation finishes) is honoured.
 */
describe('the planner service', () => {
  const namespace = testNamespace('plan');
  const measurement = `app_requests_${namespace.replace(/-/g, '_')}`;
  const influx = new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase });
  let sample: ReturnType<typeof createSampleRepo>;
  let mesh: Mesh;
  let api: OrchestratorApi;
  let redis: RedisConnection;

  beforeAll(async () => {
    sample = createSampleRepo();
    redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${namespace}:` });
    // The application's own metrics: checkout errors in the last few minutes.
    const now = BigInt(Date.now()) * 1_000_000n;
    await influx.write(
      Array.from({ length: 50 }, (_, i) => ({
        measurement,
        tags: { operation: 'checkout', file: 'src/pricing.js' },
        fields: { duration_ms: 30, error: i % 4 === 0 ? 1 : 0 },
        timestampNs: String(now - BigInt(i) * 1_000_000_000n),
      })),
    );
    mesh = await Mesh.start({
      namespace,
      targetRepository: sample.path,
      services: ['orchestrator', 'planner'],
      env: {
        orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' },
        planner: { PLANNER_APP_METRICS_MEASUREMENT: measurement },
      },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    await waitUntil('the planner to announce the plan task type', async () => {
      const { body } = await api.get<{ items: Array<{ name: string }> }>('/api/task-types');
      return body.items.some((t) => t.name === 'plan');
    });
  });

  afterAll(async () => {
    await mesh?.stop();
    await redis?.close();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    sample?.remove();
  });

  async function plan(): Promise<{ task: TaskView; output: PlanOutput }> {
    const created = await api.createTask({ type: 'plan', params: { repository: sample.path, ref: 'HEAD', lookbackHours: 24 } });
    const task = await api.waitForTaskState(created.id, ['COMPLETED', 'FAILED'], 120_000);
    expect({ id: task.id, state: task.state }).toEqual({ id: created.id, state: 'COMPLETED' });
    return { task, output: planOutputSchema.parse(task.output) };
  }

  let first: PlanOutput;

  it('finds every kind of opportunity in the sample repository and ranks them', async () => {
    ({ output: first } = await plan());
    expect([...new Set(first.opportunities.map((o) => o.kind))].sort()).toEqual([...OPPORTUNITY_KIND_NAMES].sort());
    const ranks = first.opportunities.map((o) => priorityRank(o.priority));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    const kindOrder = first.opportunities.map((o) => OPPORTUNITY_KIND_NAMES.indexOf(o.kind as never));
    expect([...kindOrder].sort((a, b) => a - b)).toEqual(kindOrder);
    expect(first.opportunities.find((o) => o.kind === 'performance-regression')).toMatchObject({ files: ['src/pricing.js'], title: 'Error rate of checkout went up (src/pricing.js)' });
    // ESLint and Prettier ran (in their child processes) with the sample's own configuration.
    expect(first.analyses?.filter((a) => a.status !== 'ran')).toEqual([]);
    // The sample's own ESLint (its devDependency, installed from its lockfile in the sandbox), not the mesh's.
    expect(first.analyses?.find((a) => a.name === 'eslint')?.detail).toMatch(/the repository's ESLint 9\.39\.5 with eslint\.config\.js$/);
  });

  it('plans nothing new when the same commit is planned again', async () => {
    const { output } = await plan();
    expect(output.commit).toBe(first.commit);
    expect(output.opportunities).toEqual([]);
    expect(output.suppressed?.map((s) => [s.fingerprint, s.reason])).toEqual(first.opportunities.map((o) => [o.fingerprint, 'planned']));
    expect(output.stats.cacheHits).toBe(output.stats.filesAnalysed);
  });

  it('honours an outcome recorded in the knowledge base by another process', async () => {
    const rejected = first.opportunities.find((o) => o.kind === 'unformatted-file')!;
    const knowledge = new KnowledgeBase(redis);
    expect(
      await knowledge.recordOutcome({ generator: rejected.generator, kind: rejected.kind, fingerprint: rejected.fingerprint, outcome: 'rejected', reason: 'unit-tests: 1 failed', id: `tsk_e2e_${namespace}` }),
    ).toBe(true);
    const { output } = await plan();
    expect(output.suppressed?.find((s) => s.fingerprint === rejected.fingerprint)?.reason).toBe('rejected');
    const stats = await knowledge.stats();
    expect(stats.records).toEqual([expect.objectContaining({ kind: 'unformatted-file', generator: 'format', rejected: 1, consecutiveRejections: 1 })]);
  });
});
