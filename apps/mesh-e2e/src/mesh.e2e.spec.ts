import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { TOPICS } from '@autocode/contracts';
import { InfluxClient } from '@autocode/metrics';
import {
  deleteNamespaceTopics,
  Mesh,
  publishRaw,
  TEST_INFRA,
  testNamespace,
  TopicObserver,
  waitUntil,
} from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { createSampleRepo } from './sample-repo';

/**
 * The walking skeleton, end to end: five service processes on the real
 * Kafka, Redis and InfluxDB, one trigger through REST and one through the
 * public Kafka topic, each ending in a COMPLETED task.
 */
describe('the mesh, from trigger to COMPLETED', () => {
  const namespace = testNamespace('e2e');
  const observer = TopicObserver.create(TEST_INFRA.kafkaBrokers, namespace);
  const influx = new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase });
  let sample: ReturnType<typeof createSampleRepo>;
  let redis: Redis;
  let mesh: Mesh;
  let api: OrchestratorApi;

  beforeAll(async () => {
    sample = createSampleRepo();
    redis = new Redis(TEST_INFRA.redisUrl);
    await observer.start(Object.values(TOPICS));
    mesh = await Mesh.start({ namespace, targetRepository: sample.path });
    api = new OrchestratorApi(mesh.orchestratorUrl);
  });

  afterAll(async () => {
    await mesh?.stop();
    await observer.stop();
    redis?.disconnect();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    sample?.remove();
  });

  async function expectCompletedJourney(task: TaskView, triggerId: string): Promise<void> {
    expect(task.state).toBe('COMPLETED');

    // The audit trail, read straight from Redis, in order.
    const stored = (await redis.lrange(`${namespace}:task:${task.id}:history`, 0, -1)).map((e) => JSON.parse(e));
    expect(stored.map((e) => e.to)).toEqual(['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
    expect(stored.map((e) => e.from)).toEqual([null, 'CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING']);
    const times = stored.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(task.history).toEqual(stored);

    // Every hop went over its own Kafka topic.
    const byCorrelation = (topic: string, correlationId: string) =>
      observer.waitFor(`${topic} for ${correlationId}`, (m) => m.topic === topic && (m.json as { correlationId?: string })?.correlationId === correlationId);
    await byCorrelation(TOPICS.planningRequested, triggerId);
    await byCorrelation(TOPICS.planningCompleted, triggerId);
    for (const topic of [
      TOPICS.generationRequested,
      TOPICS.taskProgress,
      TOPICS.generationCompleted,
      TOPICS.validationRequested,
      TOPICS.validationCompleted,
      TOPICS.deploymentRequested,
      TOPICS.deploymentCompleted,
    ]) {
      await byCorrelation(topic, task.id);
    }
    await waitUntil('five lifecycle events', () =>
      observer.all(TOPICS.taskLifecycle).filter((m) => (m.json as { correlationId: string }).correlationId === task.id).length === 5,
    );
    const lifecycle = observer.all(TOPICS.taskLifecycle).filter((m) => (m.json as { correlationId: string }).correlationId === task.id);
    expect(lifecycle.map((m) => (m.json as { payload: { to: string } }).payload.to)).toEqual(['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
    expect(lifecycle.every((m) => m.headers['correlation-id'] === task.id && /^00-[0-9a-f]{32}-/.test(m.headers.traceparent))).toBe(true);

    // And every service left metrics of the run in InfluxDB.
    const services = await waitUntil(
      'metrics of the run in InfluxDB',
      async () => {
        const rows = await influx.query<{ service: string }>(
          `SELECT "task_id", "service" FROM "task_transition", "generation_run", "validation_run", "deployment_run" WHERE "task_id" = '${task.id}'`,
        );
        const seen = new Set(rows.map((r) => r.service));
        return seen.size === 4 ? seen : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    expect([...services].sort()).toEqual(['deployer', 'generation-node', 'orchestrator', 'validator']);
    const planning = await influx.query(`SELECT * FROM "planning_run" WHERE "trigger_id" = '${triggerId}'`);
    expect(planning.length).toBeGreaterThan(0);
  }

  it('completes a task for a trigger posted to the REST gateway', async () => {
    const trigger = await api.triggerGeneration({ reason: 'e2e over REST' });
    expect(trigger).toMatchObject({ source: 'api', status: 'planning', repository: sample.path });

    const planned = await api.waitForPlannedTrigger((t) => t.id === trigger.id);
    const task = await api.waitForTaskState(planned.taskIds[0], ['COMPLETED', 'FAILED']);
    await expectCompletedJourney(task, trigger.id);
    expect(task).toMatchObject({
      generation: { outcome: 'no-change', generator: 'noop' },
      validation: { verdict: 'nothing-to-validate' },
      deployment: { outcome: 'nothing-to-deploy', environment: 'development' },
    });
  });

  it('completes a task for a trigger any Kafka client publishes to the public topic', async () => {
    const envelope = {
      id: randomUUID(),
      type: 'trigger.requested',
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      correlationId: `external-${randomUUID()}`,
      causationId: null,
      producer: 'e2e-kafka-client',
      payload: { reason: 'e2e over Kafka', lookbackHours: 48 },
    };
    await publishRaw(TEST_INFRA.kafkaBrokers, observer.physical(TOPICS.triggerRequested), [JSON.stringify(envelope)]);

    const planned = await api.waitForPlannedTrigger((t) => t.source === 'kafka');
    expect(planned).toMatchObject({ source: 'kafka', status: 'planned' });
    const task = await api.waitForTaskState(planned.taskIds[0], ['COMPLETED', 'FAILED']);
    await expectCompletedJourney(task, planned.id);

    // A redelivery of the same message starts nothing new.
    await publishRaw(TEST_INFRA.kafkaBrokers, observer.physical(TOPICS.triggerRequested), [JSON.stringify(envelope)]);
    const sentinel = await api.triggerGeneration({ reason: 'sentinel after the duplicate' });
    await api.waitForPlannedTrigger((t) => t.id === sentinel.id);
    const { body } = await api.get<{ items: Array<{ source: string }> }>('/api/triggers?limit=100');
    expect(body.items.filter((t) => t.source === 'kafka')).toHaveLength(1);
  });
});
