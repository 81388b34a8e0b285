import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';
import { attemptSchema, errorInfoSchema, nodeIdSchema, patchSchema, taskIdSchema } from '../common/common.schemas';

export const generationCompletedPayloadSchema = z
  .strictObject({
    taskId: taskIdSchema,
    attempt: attemptSchema,
    nodeId: nodeIdSchema,
    generator: z.string().min(1).max(100),
    /** `no-change`: the generator ran and had nothing to change (empty diff). */
    outcome: z.enum(['patch', 'no-change', 'failed']),
    patch: patchSchema.nullable(),
    error: errorInfoSchema.optional(),
    durationMs: z.number().min(0),
  })
  .superRefine((value, ctx) => {
    if (value.outcome === 'failed' && !value.error) {
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'is required when outcome is "failed"' });
    }
    if (value.outcome === 'patch' && (!value.patch || value.patch.diff.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['patch'], message: 'must hold a non-empty diff when outcome is "patch"' });
    }
  });
export type GenerationCompleted = z.infer<typeof generationCompletedPayloadSchema>;

export const generationCompletedEvent = defineEvent({
  type: 'generation.completed',
  schemaVersion: 1,
  topic: TOPICS.generationCompleted,
  payload: generationCompletedPayloadSchema,
});
