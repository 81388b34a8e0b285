import { Inject, Injectable } from '@nestjs/common';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { TaskContext } from '@autocode/worker';
import type { DeployerConfig } from '../config/deployer.config';
import { formatDuration } from '../environments/duration';
import type { EnvironmentConfig } from '../environments/environment-config';
import type { DeploymentRecord } from '../deployment/deployment.model';
import { DeploymentRepository } from '../deployment/deployment.repository';
import { sleep } from '../deployment/sleep';
import { DeploymentNotifier } from '../notifications/deployment-notifier.service';
import { factsOf } from '../notifications/facts';

export class ApprovalConflictError extends Error {
  readonly httpStatus = 409;
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalConflictError';
  }
}

/**
 * Approvals: a deployment that needs one waits (as a task that only polls
 * Redis) until an operator approves or rejects it over REST, or until its
 * approval window closes and the environment's on_timeout policy decides.
 */
@Injectable()
export class ApprovalService {
  constructor(
    private readonly records: DeploymentRepository,
    private readonly notifier: DeploymentNotifier,
    private readonly metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: DeployerConfig,
  ) {}

  /** pending → awaiting-approval, with the window the environment allows. */
  async request(record: DeploymentRecord, env: EnvironmentConfig): Promise<DeploymentRecord> {
    const now = Date.now();
    const approval = {
      required: true,
      requestedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + env.approval.timeoutMs).toISOString(),
      onTimeout: env.approval.onTimeout,
    };
    const moved = await this.records.transition(
      record.id,
      ['pending'],
      'awaiting-approval',
      { actor: 'policy', action: 'approval-requested', detail: `${env.name} requires approval; window ${formatDuration(env.approval.timeoutMs)}, then ${env.approval.onTimeout}` },
      { approval },
    );
    if (!moved) return this.records.get(record.id);
    this.notifier.notify({ ...factsOf(moved, 'approval-requested'), reason: `approve or reject before ${approval.expiresAt}` }, moved.notify);
    return moved;
  }

  /** An operator's decision; 409 when the deployment is not (or no longer) awaiting one. */
  async decide(id: string, decision: 'approved' | 'rejected', actor: string, comment?: string): Promise<DeploymentRecord> {
    const current = await this.records.get(id);
    if (current.status !== 'awaiting-approval') {
      throw new ApprovalConflictError(`deployment ${id} is ${current.status}, not awaiting approval`);
    }
    if (current.approval.expiresAt && Date.parse(current.approval.expiresAt) <= Date.now()) {
      await this.expire(current);
      throw new ApprovalConflictError(`the approval window of deployment ${id} closed at ${current.approval.expiresAt}`);
    }
    const now = new Date().toISOString();
    const moved = await this.records.transition(
      id,
      ['awaiting-approval'],
      decision,
      { actor, action: decision, detail: comment ?? '' },
      {
        approval: { ...current.approval, decision, decidedBy: actor, decidedAt: now, ...(comment ? { comment } : {}) },
        ...(decision === 'rejected' ? { reason: `rejected by ${actor}${comment ? `: ${comment}` : ''}`, finishedAt: now } : {}),
      },
    );
    if (!moved) {
      const after = await this.records.get(id);
      throw new ApprovalConflictError(`deployment ${id} is ${after.status}, not awaiting approval`);
    }
    this.recordDecision(moved);
    this.notifier.notify({ ...factsOf(moved, decision), actor, reason: comment ?? null }, moved.notify);
    return moved;
  }

  /**
   * Waits for a decision, polling Redis. The window runs from the original
   * request, so a retried task does not extend it. Returns the record once
   * it has left awaiting-approval.
   */
  async waitForDecision(record: DeploymentRecord, context: TaskContext): Promise<DeploymentRecord> {
    const pollMs = this.config.DEPLOY_APPROVAL_POLL_MS;
    let current = record;
    await context.progress(10, `awaiting approval for ${record.environment} until ${record.approval.expiresAt}`, { deploymentId: record.id, phase: 'awaiting-approval' });
    try {
      while (current.status === 'awaiting-approval') {
        await this.records.touchWaiter(record.id, context.workerId, Math.max(3 * pollMs, 5000));
        if (current.approval.expiresAt && Date.parse(current.approval.expiresAt) <= Date.now()) {
          current = await this.expire(current);
          break;
        }
        await context.progress(10, `awaiting approval for ${record.environment} until ${record.approval.expiresAt}`);
        await sleep(pollMs, context.signal);
        current = await this.records.get(record.id);
      }
    } finally {
      await this.records.releaseWaiter(record.id).catch(() => undefined);
    }
    return current;
  }

  /** The window closed: the environment's policy decides. */
  private async expire(record: DeploymentRecord): Promise<DeploymentRecord> {
    const now = new Date().toISOString();
    const policy = record.approval.onTimeout ?? 'reject';
    const window = `no decision by ${record.approval.expiresAt}`;
    const moved =
      policy === 'approve'
        ? await this.records.transition(record.id, ['awaiting-approval'], 'approved', { actor: 'policy', action: 'approved', detail: `${window}; on_timeout: approve` }, {
            approval: { ...record.approval, decision: 'approved', decidedBy: 'policy:approval-timeout', decidedAt: now },
          })
        : await this.records.transition(record.id, ['awaiting-approval'], 'expired', { actor: 'policy', action: 'expired', detail: `${window}; on_timeout: reject` }, {
            approval: { ...record.approval, decision: 'expired', decidedAt: now },
            reason: `${window}: the approval window closed`,
            finishedAt: now,
          });
    if (!moved) return this.records.get(record.id);
    this.recordDecision(moved);
    this.notifier.notify(factsOf(moved, policy === 'approve' ? 'approved' : 'expired'), moved.notify);
    return moved;
  }

  private recordDecision(record: DeploymentRecord): void {
    const waited = Date.parse(record.approval.decidedAt ?? record.updatedAt) - Date.parse(record.approval.requestedAt ?? record.createdAt);
    this.metrics.record('deployment_approval', { wait_ms: Math.max(0, waited), deployment_id: record.id }, { environment: record.environment, decision: record.approval.decision ?? 'unknown' });
  }
}
