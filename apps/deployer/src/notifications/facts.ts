import type { NotificationEvent } from '../environments/autocode-config.schema';
import type { DeploymentRecord } from '../deployment/deployment.model';
import type { DeploymentEventFacts } from './slack-message';

export function factsOf(record: DeploymentRecord, event: NotificationEvent): DeploymentEventFacts {
  return {
    event,
    deploymentId: record.id,
    environment: record.environment,
    title: record.title,
    strategy: record.strategy,
    branch: record.branch,
    revision: record.status === 'rolled-back' ? (record.rollback?.revision ?? record.revision) : record.revision,
    previousRevision: record.previousRevision,
    reason: record.reason,
    ...(record.featureFlag ? { flag: record.featureFlag } : {}),
  };
}
