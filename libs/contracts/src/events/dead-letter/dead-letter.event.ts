import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';

export const deadLetterPayloadSchema = z.strictObject({
  originalTopic: z.string().min(1),
  partition: z.number().int().min(0),
  offset: z.string().min(1),
  key: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  /** The message exactly as it arrived, so it can be inspected or replayed. */
  valueBase64: z.string(),
  reason: z.string().min(1).max(5000),
  /** `invalid`: failed decoding or validation; `handler-failed`: kept failing its handler. */
  category: z.enum(['invalid', 'handler-failed']),
  consumerGroup: z.string().min(1),
  attempts: z.number().int().min(0),
  failedAt: z.iso.datetime({ offset: true }),
});
export type DeadLetter = z.infer<typeof deadLetterPayloadSchema>;

export const deadLetterEvent = defineEvent({
  type: 'deadletter.recorded',
  schemaVersion: 1,
  topic: TOPICS.deadLetter,
  payload: deadLetterPayloadSchema,
});
