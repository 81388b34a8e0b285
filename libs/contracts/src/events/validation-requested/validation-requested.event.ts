import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { attemptSchema, commitShaSchema, patchSchema, repositorySchema, taskIdSchema } from '../common/common.schemas';

export const validationRequestedPayloadSchema = z.strictObject({
  taskId: taskIdSchema,
  attempt: attemptSchema,
  repository: repositorySchema,
  commit: commitShaSchema,
  patch: patchSchema,
});
export type ValidationRequested = z.infer<typeof validationRequestedPayloadSchema>;

export const validationRequestedEvent = defineEvent({
  type: 'validation.requested',
  schemaVersion: 1,
  topic: TOPICS.validationRequested,
  payload: validationRequestedPayloadSchema,
});
