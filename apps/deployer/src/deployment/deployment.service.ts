import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import type { DeployOutput, DeployParams, DeployStrategy } from '@autocode/contracts';
import { MetricsWriter } from '@autocode/metrics';
import { patchLabel, type ValidationRecord } from '@autocode/validation-record';
import { NonRetryableTaskError, type TaskContext } from '@autocode/worker';
import { ApprovalService } from '../approvals/approval.service';
import { formatDuration } from '../environments/duration';
import { DeploymentConfigError, findEnvironment, type EnvironmentConfig } from '../environments/environment-config';
import { isRemoteLocation, RepositoryConfigReader } from '../environments/repository-config.reader';
import { DeploymentNotifier } from '../notifications/deployment-notifier.service';
import { factsOf } from '../notifications/facts';
import { buildCommitMessage } from '../release/commit-message';
import { HookEnvError } from '../release/hook-env';
import { RemoteConfigError } from '../release/release-workspace';
import { TERMINAL_STATUSES, type DeploymentRecord } from './deployment.model';
import { outputOf } from './deployment-output';
import { DeploymentRepository } from './deployment.repository';
import { RolloutService } from './rollout.service';
import { ValidationEvidence } from './validation-evidence.service';

/**
 * The deploy task: a validator's passing record for this exact patch
 * first (task params are not evidence), then record the deployment (its id follows the task, so a
 * retried task picks up the same record), apply the environment's policy
 * (soak time, approval), then roll it out. Each phase is written to the
 * record first, so a retry resumes rather than repeats.
 */
@Injectable()
export class DeploymentService {
  private readonly logger = new Logger(DeploymentService.name);

  constructor(
    private readonly configs: RepositoryConfigReader,
    private readonly records: DeploymentRepository,
    private readonly approvals: ApprovalService,
    private readonly rollouts: RolloutService,
    private readonly notifier: DeploymentNotifier,
    private readonly metrics: MetricsWriter,
    private readonly evidence: ValidationEvidence,
  ) {}

  async deploy(params: DeployParams, context: TaskContext): Promise<DeployOutput> {
    const started = performance.now();
    if (params.patch.diff.length === 0) {
      this.metrics.record('deployment_run', { duration_ms: performance.now() - started, task_id: context.taskId }, { environment: params.environment, outcome: 'nothing-to-deploy' });
      this.logger.log({ msg: 'nothing to deploy', taskId: context.taskId, environment: params.environment });
      return { environment: params.environment, outcome: 'nothing-to-deploy', landed: false, summary: `empty patch: ${params.environment} unchanged` };
    }
    const validated = await this.evidence.require(params, context.taskId);
    const env = await this.environmentFor(params);
    const strategy = params.strategy ?? env.strategy;
    checkStrategy(env, strategy);

    let record = (await this.records.createOrGet(newRecord(params, env, strategy, context.taskId, validated))).record;
    await context.progress(5, `deployment ${record.id} to ${env.name}: ${record.status}`, { deploymentId: record.id, phase: record.status });
    try {
      if (record.status === 'pending') record = await this.applyPolicy(record, env);
      if (record.status === 'awaiting-approval') record = await this.approvals.waitForDecision(record, context);
      if (!TERMINAL_STATUSES.has(record.status)) {
        try {
          record = await this.rollouts.deploy(record, env, params.patch.diff, context);
        } catch (error) {
          if (error instanceof RemoteConfigError || error instanceof HookEnvError) throw new NonRetryableTaskError(`${env.name}: ${error.message}`);
          throw error;
        }
      }
    } finally {
      this.metrics.record(
        'deployment_run',
        { duration_ms: performance.now() - started, task_id: context.taskId, deployment_id: record.id },
        { environment: env.name, strategy, outcome: record.status },
      );
    }
    this.logger.log({ msg: 'deployment finished', taskId: context.taskId, deploymentId: record.id, environment: env.name, status: record.status });
    return outputOf(record);
  }

  private async environmentFor(params: DeployParams): Promise<EnvironmentConfig> {
    try {
      return findEnvironment(await this.configs.read(params.repository, params.commit), params.environment);
    } catch (error) {
      if (error instanceof DeploymentConfigError) throw new NonRetryableTaskError(error.message);
      throw error;
    }
  }

  /** Soak time first (nothing to approve if it may not go yet), then approval or auto-deploy. */
  private async applyPolicy(record: DeploymentRecord, env: EnvironmentConfig): Promise<DeploymentRecord> {
    if (env.soak) {
      const refusal = await this.soakRefusal(record, env.soak);
      if (refusal) {
        const refused = await this.records.transition(record.id, ['pending'], 'refused', { actor: 'policy', action: 'refused', detail: refusal }, {
          reason: refusal,
          finishedAt: new Date().toISOString(),
        });
        if (!refused) return this.records.get(record.id);
        this.notifier.notify(factsOf(refused, 'refused'), refused.notify);
        return refused;
      }
    }
    if (env.requiresApproval) return this.approvals.request(record, env);
    const approved = await this.records.transition(record.id, ['pending'], 'approved', { actor: 'policy', action: 'auto-approved', detail: `${env.name} deploys automatically` });
    return approved ?? this.records.get(record.id);
  }

  private async soakRefusal(record: DeploymentRecord, soak: { after: string; durationMs: number }): Promise<string | undefined> {
    const rule = `${record.environment} takes a change only after it has been live in ${soak.after} for ${formatDuration(soak.durationMs)}`;
    const live = await this.records.liveSince(record.repositoryKey, record.changeId, soak.after);
    if (!live) return `${rule}; this change is not live in ${soak.after}`;
    const elapsed = Date.now() - Date.parse(live.at);
    if (elapsed >= soak.durationMs) return undefined;
    const endsAt = new Date(Date.parse(live.at) + soak.durationMs).toISOString();
    return `${rule}; it went live there ${formatDuration(Math.max(1000, Math.floor(elapsed / 1000) * 1000))} ago (deployment ${live.deploymentId}), so not before ${endsAt}`;
  }
}

function checkStrategy(env: EnvironmentConfig, strategy: DeployStrategy): void {
  if (strategy === 'blue-green' && !env.blueGreen) throw new NonRetryableTaskError(`${env.name}: strategy blue-green needs blue_green.slots in autocode.yaml`);
  if ((strategy === 'canary' || strategy === 'blue-green') && !env.hook) {
    throw new NonRetryableTaskError(`${env.name}: strategy ${strategy} needs a deploy_hook to shift traffic`);
  }
}

export function deploymentIdFor(taskId: string): string {
  return `dep_${taskId.replace(/^tsk_/, '')}`;
}

export function repositoryKeyOf(repository: string): string {
  const location = isRemoteLocation(repository) ? repository : resolve(repository);
  return createHash('sha256').update(location).digest('hex').slice(0, 12);
}

function newRecord(params: DeployParams, env: EnvironmentConfig, strategy: DeployStrategy, taskId: string, validated: ValidationRecord): DeploymentRecord {
  const now = new Date().toISOString();
  const id = deploymentIdFor(taskId);
  const commitMessage = buildCommitMessage({
    title: params.title,
    ...(params.opportunity ? { opportunity: params.opportunity } : {}),
    diff: params.patch.diff,
    patch: params.patch,
    validation: validated,
    baseCommit: params.commit,
    deploymentId: id,
    taskId,
  });
  return {
    id,
    taskId,
    repository: params.repository,
    repositoryKey: repositoryKeyOf(params.repository),
    environment: env.name,
    strategy,
    title: params.title,
    commitMessage,
    baseCommit: params.commit,
    changeId: createHash('sha256').update(params.patch.diff).digest('hex'),
    patch: { filesChanged: params.patch.filesChanged, insertions: params.patch.insertions, deletions: params.patch.deletions },
    status: 'pending',
    version: 1,
    branch: null,
    remote: null,
    previousRevision: null,
    revision: null,
    approval: { required: env.requiresApproval },
    ...(env.notifications ? { notify: env.notifications.map((n) => ({ ...(n.channel ? { channel: n.channel } : {}), ...(n.events ? { events: n.events } : {}) })) } : {}),
    reason: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    audit: [
      { at: now, actor: `task:${taskId}`, action: 'created', detail: `${params.title} → ${env.name} (${strategy})` },
      {
        at: now,
        actor: `validator:${validated.validator.instance}`,
        action: 'validated',
        detail: `patch ${patchLabel(validated.patchSha256)} passed validation task ${validated.validator.taskId} at ${validated.validatedAt}`,
      },
    ],
  };
}
