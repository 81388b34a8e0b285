import { patchLabel } from './patch-hash';
import { PROTECTED_PATHS_STAGE } from './protected-paths';
import { macMatches, validationRecordSchema, type ValidationRecord } from './validation-record';

export interface ExpectedPatch {
  patchSha256: string;
  /** `repositoryIdentity(...)` of the repository to deploy. */
  repository: string;
  baseCommit: string;
}

export type RecordCheck = { ok: true; record: ValidationRecord } | { ok: false; reason: string };

/**
 * Whether a stored record lets this exact patch be deployed: it must parse,
 * name the same patch, repository and base commit, say `passed` with no
 * required stage short of passed and the protected-paths stage passed, and — when the deployer holds the mesh
 * secret — carry a MAC made with it. Every refusal starts with
 * `no passing validation record for patch sha256:…`.
 */
export function checkValidationRecord(stored: unknown, expected: ExpectedPatch, secret?: string): RecordCheck {
  const refuse = (why: string): RecordCheck => ({
    ok: false,
    reason: `no passing validation record for patch ${patchLabel(expected.patchSha256)} (${expected.repository} at ${expected.baseCommit.slice(0, 12)}): ${why}`,
  });
  if (stored === null || stored === undefined) return refuse('no validator has recorded a validation of these exact bytes');
  const parsed = validationRecordSchema.safeParse(stored);
  if (!parsed.success) return refuse(`the stored record is malformed (${parsed.error.issues[0]?.path.join('.') || 'record'}: ${parsed.error.issues[0]?.message})`);
  const record = parsed.data;
  if (record.patchSha256 !== expected.patchSha256) return refuse('the stored record is for another patch');
  if (record.repository !== expected.repository) return refuse(`the stored record is for another repository (${record.repository})`);
  if (record.baseCommit !== expected.baseCommit) return refuse(`the stored record is for another base commit (${record.baseCommit.slice(0, 12)})`);
  if (secret !== undefined && !macMatches(record, secret)) return refuse(record.mac ? 'its MAC does not verify with the mesh secret' : 'it carries no MAC and the mesh has a secret');
  if (record.verdict !== 'passed') {
    const failing = record.stages.filter((s) => s.required && s.status !== 'passed').map((s) => `${s.name} ${s.status}`);
    return refuse(`validation ${record.verdict}${failing.length ? ` (${failing.join(', ')})` : ''} by ${record.validator.instance} at ${record.validatedAt}`);
  }
  const short = record.stages.filter((s) => s.required && s.status !== 'passed');
  if (short.length) return refuse(`the record says passed, but required stage ${short[0].name} is ${short[0].status}`);
  if (!record.stages.some((s) => s.name === PROTECTED_PATHS_STAGE && s.status === 'passed')) {
    return refuse(`the record has no passed ${PROTECTED_PATHS_STAGE} stage (its validator did not check what the patch may touch)`);
  }
  return { ok: true, record };
}
