import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { leaseHashSchema } from '../../task/task-lease';
import { attemptSchema, taskIdSchema, workerIdSchema } from '../common/common.schemas';

/** Tells the worker running an attempt to stop it; its result, if any, will be ignored. */
export const taskControlPayloadSchema = z.strictObject({
  taskId: taskIdSchema,
  attempt: attemptSchema,
  workerId: workerIdSchema,
  /**
   * The hash of the attempt's lease token: the worker obeys only an order whose
   * hash matches the token it was given, so nobody else can stop its work.
   */
  leaseHash: leaseHashSchema,
  action: z.literal('stop'),
  reason: z.string().min(1).max(500),
});
export type TaskControl = z.infer<typeof taskControlPayloadSchema>;

export const taskControlEvent = defineEvent({
  type: 'task.control',
  schemaVersion: 1,
  topic: TOPICS.taskControl,
  payload: taskControlPayloadSchema,
});
