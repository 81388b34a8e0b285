import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { taskStageSchema } from '../../task/task-stage';
import { attemptSchema, nodeIdSchema, taskIdSchema } from '../common/common.schemas';

export const taskProgressPayloadSchema = z.strictObject({
  taskId: taskIdSchema,
  attempt: attemptSchema,
  nodeId: nodeIdSchema,
  stage: taskStageSchema,
  percent: z.number().min(0).max(100),
  message: z.string().max(500),
});
export type TaskProgress = z.infer<typeof taskProgressPayloadSchema>;

export const taskProgressEvent = defineEvent({
  type: 'task.progress',
  schemaVersion: 1,
  topic: TOPICS.taskProgress,
  payload: taskProgressPayloadSchema,
});
