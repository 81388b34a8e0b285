import type { DeployOutput } from '@autocode/contracts';
import { NonRetryableTaskError } from '@autocode/worker';
import type { DeploymentRecord } from './deployment.model';

/**
 * The deploy task's output for a finished deployment. A deployment that
 * left its environment broken (failed with rollback off, or a rollback
 * that failed) fails the task instead: a person has to look.
 */
export function outputOf(record: DeploymentRecord): DeployOutput {
  const common = {
    environment: record.environment,
    deploymentId: record.id,
    strategy: record.strategy,
    ...(record.branch ? { branch: record.branch } : {}),
    ...(record.previousRevision ? { previousRevision: record.previousRevision } : {}),
    ...(record.approval.decision === 'approved' && record.approval.decidedBy ? { approvedBy: record.approval.decidedBy } : {}),
    ...(record.featureFlag ? { featureFlag: record.featureFlag } : {}),
  };
  const why = (record.reason ?? '').slice(0, 1500);
  switch (record.status) {
    case 'deployed':
      return {
        ...common,
        outcome: 'deployed',
        landed: true,
        ...(record.revision ? { revision: record.revision, commit: record.revision } : {}),
        summary: `deployed to ${record.environment} (${record.branch} at ${record.revision?.slice(0, 12)}, ${record.strategy})${record.featureFlag ? ` behind flag ${record.featureFlag.name} (${record.featureFlag.enabled ? 'on' : 'off'})` : ''}`,
      };
    case 'rolled-back':
      return {
        ...common,
        outcome: 'rolled-back',
        landed: false,
        ...(record.rollback?.revision ? { revision: record.rollback.revision } : {}),
        summary: `rolled back on ${record.environment}: ${why}`,
      };
    case 'refused':
    case 'rejected':
    case 'expired':
      return { ...common, outcome: record.status, landed: false, summary: why || record.status };
    case 'failed':
    case 'rollback-failed':
      throw new NonRetryableTaskError(`deployment ${record.id} to ${record.environment} ${record.status === 'failed' ? 'failed' : 'failed and could not be rolled back'}: ${why}`);
    default:
      throw new Error(`deployment ${record.id} is still ${record.status}`);
  }
}
