import { Injectable, Logger } from '@nestjs/common';
import type { DeployParams } from '@autocode/contracts';
import { patchLabel, patchSha256, repositoryIdentity, ValidationRecordRepository, type ValidationRecord } from '@autocode/validation-record';
import { NonRetryableTaskError } from '@autocode/worker';

/**
 * The deployer's only evidence that a patch may ship: a validator's record
 * for exactly these bytes, against the same repository and base commit,
 * with a passing verdict. Whoever submitted the deploy task — the pipeline,
 * an operator, an attacker with a hand-written diff — is not asked.
 */
@Injectable()
export class ValidationEvidence {
  private readonly logger = new Logger(ValidationEvidence.name);

  constructor(private readonly records: ValidationRecordRepository) {}

  /** The passing record, or a non-retryable failure saying why there is none (before anything is committed). */
  async require(params: DeployParams, taskId: string): Promise<ValidationRecord> {
    const expected = { patchSha256: patchSha256(params.patch.diff), repository: repositoryIdentity(params.repository), baseCommit: params.commit };
    const check = await this.records.check(expected);
    if (!check.ok) {
      this.logger.warn({ msg: 'deployment refused: no passing validation record', taskId, patch: patchLabel(expected.patchSha256), environment: params.environment });
      throw new NonRetryableTaskError(check.reason);
    }
    return check.record;
  }
}
