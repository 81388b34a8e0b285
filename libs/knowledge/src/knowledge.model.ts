import { z } from 'zod';

export const OUTCOMES = ['validated', 'rejected'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What `KnowledgeBase.recordOutcome` takes; validated, so a bad call fails loudly instead of polluting the records. */
export const outcomeInputSchema = z.strictObject({
  /** The generator that produced the change (`generate` output's `generator`). */
  generator: z.string().regex(/^[a-z][a-z0-9-]{0,99}$/, 'must be a generator name'),
  /** The opportunity's kind. */
  kind: z.string().regex(/^[a-z][a-z0-9-]{1,60}$/, 'must be a kebab-case kind'),
  /** The opportunity's fingerprint, as planned. */
  fingerprint: z.string().regex(/^[0-9a-f]{16,64}$/, 'must be a hex fingerprint'),
  outcome: z.enum(OUTCOMES),
  /** Why (for a rejection: the failed stages); kept with the record, shortened. */
  reason: z.string().max(10_000).default(''),
  /**
   * Makes the call idempotent: a second call with the same id records
   * nothing (pass the validate task's id, so a redelivered event is harmless).
   */
  id: z.string().min(1).max(200).optional(),
  /** When it happened; now by default. */
  at: z.date().optional(),
});
export type OutcomeInput = z.input<typeof outcomeInputSchema>;

/** The record of one generator on one kind of opportunity. */
export interface GeneratorRecord {
  kind: string;
  generator: string;
  validated: number;
  rejected: number;
  /** Rejections since the last validation. */
  consecutiveRejections: number;
  lastOutcomeAt: string | null;
  lastRejectedAt: string | null;
  lastValidatedAt: string | null;
  /** Newest first, at most `RECENT_OUTCOMES_KEPT`. */
  recent: Array<{ outcome: Outcome; reason: string; fingerprint: string; at: string }>;
}

export interface KnowledgeStats {
  /** Every (kind, generator) pair with at least one outcome, sorted by kind then generator. */
  records: Array<GeneratorRecord & { successRate: number }>;
  totals: { validated: number; rejected: number };
}

/** What the memory knows of one fingerprint. */
export const FINGERPRINT_STATUSES = ['planned', 'validated', 'rejected'] as const;
export type FingerprintStatus = (typeof FINGERPRINT_STATUSES)[number];

export interface FingerprintRecord {
  status: FingerprintStatus;
  /** Epoch milliseconds of the status change. */
  at: number;
  kind: string;
  /** The planning task that planned it (status `planned`). */
  taskId?: string;
  generator?: string;
  reason?: string;
}
