import { RedisConnection } from '@autocode/state';
import { TEST_INFRA, TEST_MESH_SECRET } from '@autocode/testing';
import { patchSha256, PROTECTED_PATHS_STAGE, repositoryIdentity, ValidationRecordRepository, type ValidationRecord } from '@autocode/validation-record';

/**
 * Writes validation records into a test mesh's Redis the way the validator
 * does (the shared repository, signed with the mesh's secret), for specs
 * about deploying rather than validating: they stand in for a validator
 * that passed the patch. The trust spec shows the real validator writing them.
 */
export class TestValidationRecords {
  private readonly redis: RedisConnection;
  private readonly records: ValidationRecordRepository;

  constructor(namespace: string) {
    this.redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${namespace}:` });
    this.records = new ValidationRecordRepository(this.redis, { secret: TEST_MESH_SECRET });
  }

  /** A passing record for exactly this patch against `repository` at `commit`. */
  pass(repository: string, commit: string, patch: { diff: string }): Promise<ValidationRecord> {
    return this.records.save({
      version: 1,
      patchSha256: patchSha256(patch.diff),
      repository: repositoryIdentity(repository),
      baseCommit: commit,
      verdict: 'passed',
      stages: [
        { name: 'apply', status: 'passed', required: true, durationMs: 1, summary: `recorded by the test for ${commit.slice(0, 12)}`, findings: [] },
        { name: PROTECTED_PATHS_STAGE, status: 'passed', required: true, durationMs: 1, summary: 'recorded by the test: a data-only patch', findings: [] },
      ],
      validator: { instance: 'e2e-test-record', taskId: 'tsk_e2e' },
      validatedAt: new Date().toISOString(),
    });
  }

  /** What the mesh's Redis holds for this patch (as the deployer would judge it). */
  check(repository: string, commit: string, patch: { diff: string }) {
    return this.records.check({ patchSha256: patchSha256(patch.diff), repository: repositoryIdentity(repository), baseCommit: commit });
  }

  close(): Promise<void> {
    return this.redis.close();
  }
}
