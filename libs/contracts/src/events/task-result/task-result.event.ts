import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { leaseTokenSchema } from '../../task/task-lease';
import {
  attemptSchema,
  errorInfoSchema,
  jsonValueSchema,
  taskIdSchema,
  taskTypeNameSchema,
  workerIdSchema,
} from '../common/common.schemas';

/**
 * `rejected`: the worker did not run the task (not addressed to it, or no
 * free slot); it goes back to the queue without counting as a failure.
 */
export const TASK_OUTCOMES = ['succeeded', 'failed', 'rejected'] as const;

export const taskResultPayloadSchema = z
  .strictObject({
    taskId: taskIdSchema,
    attempt: attemptSchema,
    workerId: workerIdSchema,
    /**
     * The lease token of the assignment. Required since the mesh checks who
     * reports: a result without it (an older worker, or anyone else) is
     * dead-lettered rather than silently counted.
     */
    leaseToken: leaseTokenSchema,
    type: taskTypeNameSchema,
    outcome: z.enum(TASK_OUTCOMES),
    output: jsonValueSchema.nullable(),
    error: errorInfoSchema.optional(),
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }),
  })
  .superRefine((value, ctx) => {
    if (value.outcome !== 'succeeded' && !value.error) {
      ctx.addIssue({ code: 'custom', path: ['error'], message: `is required when outcome is "${value.outcome}"` });
    }
  });
export type TaskResult = z.infer<typeof taskResultPayloadSchema>;

export const taskResultEvent = defineEvent({
  type: 'task.result',
  schemaVersion: 1,
  topic: TOPICS.taskResult,
  payload: taskResultPayloadSchema,
});
