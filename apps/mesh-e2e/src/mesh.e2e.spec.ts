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

const ASSIGNMENT_TOPIC: Record<string, string> = {
  plan: TOPICS.planningRequested,
  generate: TOPICS.generationRequested,
  validate: TOPICS.validationRequested,
  deploy: TOPICS.deploymentRequested,
};
const SERVICE_METRIC: Record<string, [string, string]> = {
  plan: ['planner', 'planning_run'],
  generate: ['generation-node', 'generation_run'],
  validate: ['validator', 'validation_run'],
  deploy: ['deployer', 'deployment_run'],
};

/**
 * The generation cycle, end to end: five service processes on the real
 * Kafka, Redis and InfluxDB, one trigger through REST and one through the
 * public Kafka topic, each ending in a COMPLETED plan → generate → validate
 * → deploy chain.
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

  async function expectCompletedCycle(cycle: Record<string, TaskView>, triggerId: string): Promise<void> {
    for (const [type, task] of Object.entries(cycle)) {
      expect({ type, state: task.state }).toEqual({ type, state: 'COMPLETED' });
      expect(task.correlationId).toBe(triggerId);

      // The audit trail in order; in Redis, the creation entries are implied by the task's
      // creation fields and every later transition is a list entry.
      expect(task.history.map((e) => e.to)).toEqual(['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
      expect(task.history.map((e) => e.from)).toEqual([null, 'CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING']);
      const times = task.history.map((e) => Date.parse(e.at));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      const stored = (await redis.lrange(`${namespace}:task:${task.id}:history`, 0, -1)).map((e) => ({ taskId: task.id, ...JSON.parse(e) }));
      expect(stored).toEqual(task.history.slice(2));
      expect(JSON.parse((await redis.hget(`${namespace}:task:${task.id}`, 'createdBy'))!)[0]).toBe(task.history[0].actor);

      // Every hop went over Kafka: the assignment to its pool, the result back, each transition.
      const payloadOf = (m: { json: unknown }) => (m.json as { payload: { taskId?: string } }).payload;
      await observer.waitFor(`${type} assignment`, (m) => m.topic === ASSIGNMENT_TOPIC[type] && payloadOf(m).taskId === task.id);
      await observer.waitFor(`${type} result`, (m) => m.topic === TOPICS.taskResult && payloadOf(m).taskId === task.id);
      const lifecycle = await waitUntil(`five lifecycle events of ${type}`, () => {
        const events = observer.all(TOPICS.taskLifecycle).filter((m) => payloadOf(m).taskId === task.id);
        return events.length === 5 ? events : undefined;
      });
      expect(lifecycle.map((m) => (m.json as { payload: { to: string } }).payload.to)).toEqual(['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
      expect(lifecycle.every((m) => m.headers['correlation-id'] === triggerId && /^00-[0-9a-f]{32}-/.test(m.headers.traceparent))).toBe(true);

      // The orchestrator and the service that ran the task left points in InfluxDB.
      const [service, measurement] = SERVICE_METRIC[type];
      await waitUntil(
        `${measurement} and task_finished points for ${task.id}`,
        async () => {
          const worked = await influx.query<{ service: string }>(`SELECT "task_id", "service" FROM "${measurement}" WHERE "task_id" = '${task.id}'`);
          const finished = await influx.query(`SELECT "duration_ms" FROM "task_finished" WHERE "task_id" = '${task.id}'`);
          return worked.some((r) => r.service === service) && finished.length === 1;
        },
        { timeoutMs: 20_000, intervalMs: 300 },
      );
    }
    await observer.waitFor('a worker heartbeat', (m) => m.topic === TOPICS.workerHeartbeat);
  }

  it('completes a cycle for a trigger posted to the REST gateway', async () => {
    const trigger = await api.triggerGeneration({ reason: 'e2e over REST' });
    expect(trigger).toMatchObject({ source: 'api', status: 'planning', repository: sample.path });

    const cycle = await api.waitForCycle(trigger.id);
    await expectCompletedCycle(cycle, trigger.id);
    expect(cycle.plan.output).toMatchObject({ opportunities: [expect.objectContaining({ kind: 'recent-changes' })] });
    expect(cycle.generate.output).toMatchObject({ outcome: 'no-change', generator: 'noop' });
    expect(cycle.validate.output).toMatchObject({ verdict: 'nothing-to-validate' });
    expect(cycle.deploy.output).toMatchObject({ outcome: 'nothing-to-deploy', environment: 'development' });
    const recorded = await api.get<{ status: string; taskIds: string[] }>(`/api/triggers/${trigger.id}`);
    expect(recorded.body).toMatchObject({ status: 'planned' });
    expect(recorded.body.taskIds).toEqual(expect.arrayContaining([cycle.plan.id, cycle.generate.id]));
  });

  it('completes a cycle for a trigger any Kafka client publishes to the public topic', async () => {
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
    const cycle = await api.waitForCycle(planned.id);
    await expectCompletedCycle(cycle, planned.id);

    // A redelivery of the same message starts nothing new.
    await publishRaw(TEST_INFRA.kafkaBrokers, observer.physical(TOPICS.triggerRequested), [JSON.stringify(envelope)]);
    const sentinel = await api.triggerGeneration({ reason: 'sentinel after the duplicate' });
    await api.waitForPlannedTrigger((t) => t.id === sentinel.id);
    const { body } = await api.get<{ items: Array<{ source: string }> }>('/api/triggers?limit=100');
    expect(body.items.filter((t) => t.source === 'kafka')).toHaveLength(1);
  });
});
