import { SIGNATURE_HEADER, verifyEnvelopeSignature, type WorkerHeartbeat } from '@autocode/contracts';
import type { IncomingEvent } from '@autocode/messaging';

export interface HeartbeatPolicy {
  /** MESH_SECRET: only its holders may announce workers. */
  meshSecret: string;
  /** WORKER_MAX_CAPACITY_CLAIM. */
  maxCapacity: number;
}

/**
 * Why a heartbeat may not count (null: it may), from the message alone:
 * it must be signed with the mesh secret, since it decides where work goes,
 * and claim no more slots than one worker may have. The task types it
 * announces are checked against the registry separately.
 */
export function heartbeatRefusal(event: IncomingEvent<WorkerHeartbeat>, policy: HeartbeatPolicy): string | null {
  const beat = event.envelope.payload;
  const signature = verifyEnvelopeSignature(event.envelope, event.headers[SIGNATURE_HEADER], policy.meshSecret);
  if (!signature.ok) return `refused heartbeat of ${beat.workerId} (${beat.pool}): ${signature.reason}`;
  if (beat.capacity > policy.maxCapacity) {
    return `refused heartbeat of ${beat.workerId} (${beat.pool}): claims ${beat.capacity} slots, more than WORKER_MAX_CAPACITY_CLAIM (${policy.maxCapacity})`;
  }
  return null;
}
