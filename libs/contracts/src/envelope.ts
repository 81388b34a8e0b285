import { z } from 'zod';

/**
 * Every message on every topic is one of these. The payload is validated
 * separately, against the schema registered for (`type`, `schemaVersion`).
 */
export const envelopeSchema = z.strictObject({
  id: z.uuid(),
  type: z.string().regex(/^[a-z][a-z-]*\.[a-z][a-z-]*$/, 'must look like "<domain>.<event>"'),
  schemaVersion: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  /** The task, trigger or workflow run this message belongs to. */
  correlationId: z.string().min(1).max(200),
  /** The id of the message that caused this one; null for a first cause. */
  causationId: z.string().min(1).max(200).nullable(),
  /** The service (or external client) that produced the message. */
  producer: z.string().min(1).max(100),
  payload: z.unknown(),
});

export type Envelope<P = unknown> = Omit<z.infer<typeof envelopeSchema>, 'payload'> & { payload: P };
