import { z } from 'zod';
import { defineEvent } from '../../event-definition';
import { TOPICS } from '../../topics';

/**
 * Bounds on what a dead letter copies from the original, so the record
 * always fits under BROKER_MAX_MESSAGE_BYTES however large or hostile the
 * original was (value and headers of a 1 MiB message would not).
 * Within the default topic limit a value is kept whole, so it can be replayed.
 */
export const DEAD_LETTER_LIMITS = {
  valueBytes: 256 * 1024,
  keyChars: 1024,
  headerCount: 64,
  headerNameChars: 200,
  headerValueChars: 1024,
  reasonChars: 5000,
} as const;

export const deadLetterPayloadSchema = z.strictObject({
  originalTopic: z.string().min(1),
  partition: z.number().int().min(0),
  offset: z.string().min(1),
  key: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  /**
   * The message exactly as it arrived, so it can be inspected or replayed;
   * only its first DEAD_LETTER_LIMITS.valueBytes when `valueTruncated`.
   */
  valueBase64: z.string(),
  /** Size in bytes of the original value, whole. Absent in records written before it existed. */
  originalSizeBytes: z.number().int().min(0).optional(),
  /** sha256 (hex) of the original value, whole: identifies it even when the copy is truncated. */
  originalSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  valueTruncated: z.boolean().optional(),
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
