import { randomBytes } from 'node:crypto';
import { buildEnvelope, SIGNATURE_HEADER, signEnvelope, workerHeartbeatEvent, type WorkerHeartbeat } from '@autocode/contracts';
import type { IncomingEvent } from '@autocode/messaging';
import { heartbeatRefusal } from './heartbeat-admission';

const meshSecret = randomBytes(32).toString('base64url');
const policy = { meshSecret, maxCapacity: 1000 };

function event(capacity: number, sign: (e: ReturnType<typeof envelope>) => string | undefined): IncomingEvent<WorkerHeartbeat> {
  const built = envelope(capacity);
  const signature = sign(built);
  return { envelope: built, topic: workerHeartbeatEvent.topic, partition: 0, offset: '0', key: 'gen-1', headers: signature ? { [SIGNATURE_HEADER]: signature } : {} };
}
function envelope(capacity: number) {
  return buildEnvelope(
    workerHeartbeatEvent,
    { workerId: 'gen-1', pool: 'generation', capacity, running: [], partitions: [0], taskTypes: [], startedAt: new Date().toISOString(), intervalMs: 1000 },
    { producer: 'generation-node', correlationId: 'gen-1' },
  );
}

describe('which heartbeats count', () => {
  it('accepts one signed with the mesh secret within the capacity cap', () => {
    expect(heartbeatRefusal(event(1000, (e) => signEnvelope(e, meshSecret)), policy)).toBeNull();
  });

  it.each([
    ['unsigned', event(4, () => undefined), 'unsigned: no autocode-signature header'],
    ['signed with another secret', event(4, (e) => signEnvelope(e, randomBytes(32).toString('base64url'))), 'bad signature'],
    ['claiming more slots than the cap', event(10_000, (e) => signEnvelope(e, meshSecret)), 'claims 10000 slots, more than WORKER_MAX_CAPACITY_CLAIM (1000)'],
  ])('refuses one %s, naming why', (_label, beat, why) => {
    expect(heartbeatRefusal(beat, policy)).toContain(`refused heartbeat of gen-1 (generation): ${why}`);
  });
});
