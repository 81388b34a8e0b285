import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { validationStageReportSchema } from '@autocode/contracts';

/** Only `passed` is ever deployable; `cannot-validate` records that the validator could not judge the patch. */
export const VALIDATION_VERDICTS = ['passed', 'failed', 'cannot-validate'] as const;

/**
 * What a validator wrote when it finished a validation: the exact patch
 * (its SHA-256), where it was applied (repository and base commit), the
 * verdict with every stage's report, who judged it and when. The deployer
 * ships a patch only on such a record; task params are never evidence.
 */
export const validationRecordSchema = z.strictObject({
  version: z.literal(1),
  patchSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case SHA-256 hex digest'),
  /** `repositoryIdentity(...)` of the repository the patch was validated against. */
  repository: z.string().min(1).max(4000),
  baseCommit: z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a commit id'),
  verdict: z.enum(VALIDATION_VERDICTS),
  stages: z.array(validationStageReportSchema).max(50),
  validator: z.strictObject({ instance: z.string().min(1).max(200), taskId: z.string().min(1).max(200) }),
  validatedAt: z.iso.datetime(),
  /** HMAC-SHA256 (hex) over `recordMacInput`, when the mesh has a shared secret. */
  mac: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

export type ValidationRecord = z.infer<typeof validationRecordSchema>;
export type UnsignedValidationRecord = Omit<ValidationRecord, 'mac'>;

/** The bytes the MAC covers: every field, in a fixed order (stage reports by digest). */
export function recordMacInput(record: UnsignedValidationRecord): string {
  const stages = createHash('sha256').update(JSON.stringify(record.stages)).digest('hex');
  return ['autocode-validation-record', record.version, record.patchSha256, record.repository, record.baseCommit, record.verdict, stages, record.validator.instance, record.validator.taskId, record.validatedAt].join('\n');
}

export function signRecord(record: UnsignedValidationRecord, secret: string): ValidationRecord {
  return { ...record, mac: createHmac('sha256', secret).update(recordMacInput(record)).digest('hex') };
}

export function macMatches(record: ValidationRecord, secret: string): boolean {
  if (!record.mac) return false;
  const { mac, ...unsigned } = record;
  const expected = createHmac('sha256', secret).update(recordMacInput(unsigned)).digest();
  const given = Buffer.from(mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
