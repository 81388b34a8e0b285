import { Injectable, Logger } from '@nestjs/common';
import type { ValidateOutput, ValidateParams } from '@autocode/contracts';
import type { TaskContext } from '@autocode/worker';
import { patchLabel, patchSha256, repositoryIdentity, ValidationRecordRepository } from '@autocode/validation-record';

/**
 * Writes the validation record the deployer trusts: the verdict for exactly
 * these patch bytes against this repository and base commit. It is written
 * before the task reports its result, so by the time anyone can hand the
 * patch to a deployer the record is there; if Redis refuses it, the task
 * fails (and is retried) rather than report a pass nobody can deploy.
 */
@Injectable()
export class ValidationRecorder {
  private readonly logger = new Logger(ValidationRecorder.name);

  constructor(private readonly records: ValidationRecordRepository) {}

  async record(params: ValidateParams, context: TaskContext, output: ValidateOutput): Promise<ValidateOutput> {
    if (output.verdict === 'nothing-to-validate') return output;
    const sha = patchSha256(params.patch.diff);
    await this.records.save({
      version: 1,
      patchSha256: sha,
      repository: repositoryIdentity(params.repository),
      baseCommit: params.commit,
      verdict: output.verdict,
      stages: output.stages,
      validator: { instance: context.workerId, taskId: context.taskId },
      validatedAt: new Date().toISOString(),
    });
    this.logger.log({ msg: 'validation recorded', taskId: context.taskId, patch: patchLabel(sha), verdict: output.verdict, signed: this.records.signed });
    return output;
  }
}
