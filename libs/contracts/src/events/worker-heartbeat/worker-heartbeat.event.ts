import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { taskTypeDescriptorSchema } from '../../task/task-type-descriptor';
import { workerPoolSchema } from '../../task/worker-pool';
import { attemptSchema, taskIdSchema, workerIdSchema } from '../common/common.schemas';

/**
 * Sent by every worker on an interval. The orchestrator dispatches only
 * into free slots it learns of here, and re-queues the tasks of a worker
 * whose heartbeats stop. A heartbeat counts only when signed with the
 * mesh secret (SIGNATURE_HEADER, see message-signature.ts): it decides
 * where work goes.
 */
export const workerHeartbeatPayloadSchema = z.strictObject({
  workerId: workerIdSchema,
  pool: workerPoolSchema,
  /** Tasks it may run at once; 0 while draining for shutdown. */
  capacity: z.number().int().min(0).max(10_000),
  running: z.array(z.strictObject({ taskId: taskIdSchema, attempt: attemptSchema })).max(10_000),
  /** Partitions of the pool's assignment topic this worker consumes. */
  partitions: z.array(z.number().int().min(0)).max(10_000),
  taskTypes: z.array(taskTypeDescriptorSchema).max(200),
  startedAt: z.iso.datetime({ offset: true }),
  /** How often to expect the next one. */
  intervalMs: z.number().int().min(50).max(600_000),
});
export type WorkerHeartbeat = z.infer<typeof workerHeartbeatPayloadSchema>;

export const workerHeartbeatEvent = defineEvent({
  type: 'worker.heartbeat',
  schemaVersion: 1,
  topic: TOPICS.workerHeartbeat,
  payload: workerHeartbeatPayloadSchema,
});
