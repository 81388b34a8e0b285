import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { commitShaSchema, errorInfoSchema, opportunitySchema, repositorySchema } from '../common/common.schemas';

export const planningCompletedPayloadSchema = z.strictObject({
  triggerId: z.string().min(1).max(200),
  repository: repositorySchema,
  outcome: z.enum(['planned', 'failed']),
  /** The commit that was analysed; absent only when planning failed before resolving it. */
  commit: commitShaSchema.optional(),
  opportunities: z.array(opportunitySchema).max(1000),
  stats: z.strictObject({
    commitsScanned: z.number().int().min(0),
    filesChanged: z.number().int().min(0),
    durationMs: z.number().min(0),
  }),
  error: errorInfoSchema.optional(),
});
export type PlanningCompleted = z.infer<typeof planningCompletedPayloadSchema>;

export const planningCompletedEvent = defineEvent({
  type: 'planning.completed',
  schemaVersion: 1,
  topic: TOPICS.planningCompleted,
  payload: planningCompletedPayloadSchema,
});
