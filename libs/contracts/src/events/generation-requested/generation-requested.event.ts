import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { attemptSchema, commitShaSchema, opportunitySchema, repositorySchema, taskIdSchema } from '../common/common.schemas';

export const generationRequestedPayloadSchema = z.strictObject({
  taskId: taskIdSchema,
  attempt: attemptSchema,
  repository: repositorySchema,
  commit: commitShaSchema,
  opportunity: opportunitySchema,
  /** Findings of an earlier failed validation, for the generator to address. */
  feedback: z.array(z.string().max(2000)).max(100).default([]),
  /** The worker must give up by then; the orchestrator enforces it too. */
  deadline: z.iso.datetime({ offset: true }),
});
export type GenerationRequested = z.infer<typeof generationRequestedPayloadSchema>;

export const generationRequestedEvent = defineEvent({
  type: 'generation.requested',
  schemaVersion: 1,
  topic: TOPICS.generationRequested,
  payload: generationRequestedPayloadSchema,
});
