import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { leaseTokenSchema } from '../../task/task-lease';
import { attemptSchema, jsonValueSchema, taskIdSchema, workerIdSchema } from '../common/common.schemas';

export const taskProgressPayloadSchema = z.strictObject({
  taskId: taskIdSchema,
  attempt: attemptSchema,
  workerId: workerIdSchema,
  /** The lease token of the assignment: progress and checkpoints count only with it. */
  leaseToken: leaseTokenSchema,
  percent: z.number().min(0).max(100),
  message: z.string().max(500),
  /** State to resume from if this attempt does not finish (kept small: it rides in the next assignment). */
  checkpoint: jsonValueSchema.optional(),
});
export type TaskProgress = z.infer<typeof taskProgressPayloadSchema>;

export const taskProgressEvent = defineEvent({
  type: 'task.progress',
  schemaVersion: 1,
  topic: TOPICS.taskProgress,
  payload: taskProgressPayloadSchema,
});
