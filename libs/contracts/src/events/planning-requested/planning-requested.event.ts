import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { relativePathSchema, repositorySchema } from '../common/common.schemas';

export const planningRequestedPayloadSchema = z.strictObject({
  triggerId: z.string().min(1).max(200),
  repository: repositorySchema,
  ref: z.string().min(1).max(200),
  lookbackHours: z.number().int().min(1).max(24 * 90),
  paths: z.array(relativePathSchema).max(1000).optional(),
});
export type PlanningRequested = z.infer<typeof planningRequestedPayloadSchema>;

export const planningRequestedEvent = defineEvent({
  type: 'planning.requested',
  schemaVersion: 1,
  topic: TOPICS.planningRequested,
  payload: planningRequestedPayloadSchema,
});
