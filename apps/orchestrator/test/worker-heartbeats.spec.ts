import { randomBytes } from 'node:crypto';
import { buildEnvelope, SIGNATURE_HEADER, signEnvelope, workerHeartbeatEvent, type WorkerHeartbeat } from '@autocode/contracts';
import { PermanentError, type ConsumerFactory, type IncomingEvent } from '@autocode/messaging';
import type { OrchestratorConfig } from '../src/config/orchestrator.config';
import { TaskTypeRegistry } from '../src/registry/task-type-registry';
import { HeartbeatConsumer } from '../src/workers/heartbeat.consumer';
import { WorkerRepository } from '../src/workers/worker.repository';
import { TaskCoreHarness } from './task-core-harness';

/** Heartbeats on a real Redis: only signed ones register a worker, and none winds a worker's liveness back. */
describe('worker heartbeats on Redis', () => {
  const core = new TaskCoreHarness();
  const meshSecret = randomBytes(32).toString('base64url');
  const workers = new WorkerRepository(core.redis, core.keys);
  const registry = new TaskTypeRegistry(core.redis, core.keys);
  const config = { MESH_SECRET: meshSecret, WORKER_MAX_CAPACITY_CLAIM: 1000, WORKER_SILENCE_TIMEOUT_MS: 5000 } as OrchestratorConfig;
  const consumer = new HeartbeatConsumer({} as ConsumerFactory, workers, registry, core.signals, core.metrics, config);
  afterAll(() => core.close());

  const beat = (workerId: string, occurredAt: Date, secret: string | null): IncomingEvent<WorkerHeartbeat> => {
    const envelope = buildEnvelope(
      workerHeartbeatEvent,
      { workerId, pool: 'generation', capacity: 2, running: [], partitions: [0], taskTypes: [], startedAt: new Date().toISOString(), intervalMs: 1000 },
      { producer: 'generation-node', correlationId: workerId, occurredAt },
    );
    return { envelope, topic: workerHeartbeatEvent.topic, partition: 0, offset: '0', key: workerId, headers: secret ? { [SIGNATURE_HEADER]: signEnvelope(envelope, secret) } : {} };
  };
  const recorded = async (workerId: string) => (await workers.list()).find((w) => w.workerId === workerId);

  it('registers a worker from a signed heartbeat; an unsigned one in the same batch refuses the batch before anything is written', async () => {
    await expect(consumer.onHeartbeats([beat('gen-signed', new Date(), meshSecret), beat('gen-anonymous', new Date(), null)])).rejects.toThrow(PermanentError);
    expect(await recorded('gen-signed')).toBeUndefined();
    await expect(consumer.onHeartbeats([beat('gen-anonymous', new Date(), null)])).rejects.toThrow('refused heartbeat of gen-anonymous (generation): unsigned');
    await consumer.onHeartbeats([beat('gen-signed', new Date(), meshSecret)]);
    expect(await recorded('gen-signed')).toMatchObject({ pool: 'generation', capacity: 2 });
    expect(await recorded('gen-anonymous')).toBeUndefined();
  });

  it('keeps the newest heartbeat of a worker when an older one (late, or replayed) arrives after it', async () => {
    const now = Date.now();
    await consumer.onHeartbeats([beat('gen-replayed', new Date(now), meshSecret)]);
    await consumer.onHeartbeats([beat('gen-replayed', new Date(now - 60_000), meshSecret)]);
    const record = await recorded('gen-replayed');
    expect(record?.lastSeen).toBe(now);
    expect(Number(await core.redis.client.zscore(core.keys.workerExpiry(), 'generation|gen-replayed'))).toBe(record?.expiresAt);
  });
});
