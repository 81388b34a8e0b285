import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { taskPrioritySchema } from '../../task/task-priority';
import { taskStateSchema } from '../../task/task-state';
import { attemptSchema, taskIdSchema } from '../common/common.schemas';

/** One entry of a task's audit trail: who moved it, when, from where and why. */
export const taskTransitionSchema = z.strictObject({
  taskId: taskIdSchema,
  /** Null for the entry that created the task. */
  from: taskStateSchema.nullable(),
  to: taskStateSchema,
  attempt: attemptSchema,
  /** A user, API key name or service id. */
  actor: z.string().min(1).max(200),
  /** Where the change came from: `api`, `kafka:<topic>`, `scheduler`, … */
  source: z.string().min(1).max(200),
  reason: z.string().max(2000),
  at: z.iso.datetime({ offset: true }),
});
export type TaskTransition = z.infer<typeof taskTransitionSchema>;

export const taskLifecyclePayloadSchema = taskTransitionSchema.extend({
  type: z.string().min(1).max(100),
  priority: taskPrioritySchema,
});
export type TaskLifecycle = z.infer<typeof taskLifecyclePayloadSchema>;

export const taskLifecycleEvent = defineEvent({
  type: 'task.lifecycle',
  schemaVersion: 1,
  topic: TOPICS.taskLifecycle,
  payload: taskLifecyclePayloadSchema,
});
