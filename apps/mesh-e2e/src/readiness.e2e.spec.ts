import { randomUUID } from 'node:crypto';
import { newLeaseToken, SIGNATURE_HEADER, signPayload, TOPICS } from '@autocode/contracts';
import {
  publishRaw,
  ServiceProcess,
  testNamespace,
  ThrowawayKafka,
  ThrowawayRedis,
  TopicObserver,
  waitUntil,
  meshEnv,
  TEST_MESH_SECRET,
} from '@autocode/testing';
import { createSampleRepo } from './sample-repo';

interface Readiness {
  status: string;
  components: Array<{ name: string; status: string }>;
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

