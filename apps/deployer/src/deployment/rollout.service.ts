import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { DeployStrategy } from '@autocode/contracts';
import { GitClient } from '@autocode/git';
import { MetricsWriter } from '@autocode/metrics';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { TaskContext } from '@autocode/worker';
import type { DeployerConfig } from '../config/deployer.config';
import { pickBranch } from '../environments/branch-pattern';
import type { EnvironmentConfig } from '../environments/environment-config';
import { FeatureFlagRepository } from '../flags/feature-flag.repository';
import { DeploymentNotifier } from '../notifications/deployment-notifier.service';
import { HealthCheckClient } from '../release/health-check.client';
import { HookEnvError, passEnvProblem } from '../release/hook-env';
import { redactUrl, ReleaseWorkspace, resolveRemote } from '../release/release-workspace';
import { BlueGreenStrategy } from '../strategies/blue-green.strategy';
import { CanaryMetricsRepository } from '../strategies/canary-metrics.repository';
import { CanaryStrategy } from '../strategies/canary.strategy';
import { DirectStrategy } from '../strategies/direct.strategy';
import { FeatureFlagStrategy } from '../strategies/feature-flag.strategy';
import type { DeploymentRecord } from './deployment.model';
import { DeploymentRepository } from './deployment.repository';
import { EnvironmentLock } from './environment-lock.repository';
import { RolloutRun, type RolloutDeps, type RolloutStrategy } from './rollout-run';

const STRATEGIES: Record<DeployStrategy, () => RolloutStrategy> = {
  direct: () => new DirectStrategy(),
  canary: () => new CanaryStrategy(),
  'blue-green': () => new BlueGreenStrategy(),
  'feature-flag': () => new FeatureFlagStrategy(),
};

/** Runs rollouts and rollbacks, one per environment at a time (a Redis lock shared by every deployer). */
@Injectable()
export class RolloutService {
  private readonly deps: RolloutDeps;

  constructor(
    private readonly git: GitClient,
    private readonly records: DeploymentRepository,
    private readonly lock: EnvironmentLock,
    flags: FeatureFlagRepository,
    canaryMetrics: CanaryMetricsRepository,
    health: HealthCheckClient,
    notifier: DeploymentNotifier,
    metrics: MetricsWriter,
    @Inject(SERVICE_CONFIG) private readonly config: DeployerConfig,
  ) {
    const publicUrl = (config.DEPLOY_PUBLIC_URL ?? `http://${config.HTTP_HOST === '0.0.0.0' ? '127.0.0.1' : config.HTTP_HOST}:${config.HTTP_PORT}`).replace(/\/$/, '');
    this.deps = {
      records,
      flags,
      canaryMetrics,
      health,
      notifier,
      metrics,
      config,
      hookAllowed: config.DEPLOY_HOOK_ENV_PASSTHROUGH,
      ...(config.DEPLOY_HOOK_USER ? { hookUser: config.DEPLOY_HOOK_USER } : {}),
      publicUrl,
    };
  }

  /** Lands and verifies an approved deployment (or resumes one a previous attempt left half-way). */
  async deploy(record: DeploymentRecord, env: EnvironmentConfig, diff: string, context: TaskContext): Promise<DeploymentRecord> {
    // Before anything lands: a hook that asks for variables it may not have would fail half-way.
    const problem = passEnvProblem(env.hook?.passEnv ?? [], this.config.DEPLOY_HOOK_ENV_PASSTHROUGH);
    if (problem) throw new HookEnvError(problem);
    return this.underLock(record, env, context, `${record.id}#${context.attempt}`, (run) => run.execute(diff));
  }

  /** An operator's rollback of a deployment that is live (or failed with rollback left to a person). */
  async rollbackByHand(record: DeploymentRecord, env: EnvironmentConfig, reason: string, actor: string): Promise<DeploymentRecord> {
    const stop = new AbortController();
    return this.underLock(record, env, null, `${record.id}#manual`, (run) => run.rollback(reason, actor), stop.signal);
  }

  private async underLock(
    record: DeploymentRecord,
    env: EnvironmentConfig,
    context: TaskContext | null,
    owner: string,
    work: (run: RolloutRun) => Promise<DeploymentRecord>,
    signal: AbortSignal = context!.signal,
  ): Promise<DeploymentRecord> {
    return this.lock.withLock(
      `${record.repositoryKey}:${record.environment}`,
      owner,
      this.config.DEPLOY_LOCK_TTL_MS,
      async (lost) => {
        const run = await this.open(await this.records.get(record.id), env, context, AbortSignal.any([signal, lost]), lost);
        return work(run);
      },
      {
        signal,
        onWait: (holder) => context?.progress(15, `waiting for ${env.name}: deployment ${holder.split('#')[0]} holds it`),
      },
    );
  }

  private async open(record: DeploymentRecord, env: EnvironmentConfig, context: TaskContext | null, signal: AbortSignal, lost: AbortSignal): Promise<RolloutRun> {
    const ws = new ReleaseWorkspace(this.git, join(this.config.DEPLOY_WORKSPACE_DIR, `${record.repositoryKey}-${record.environment}`), {
      name: this.config.DEPLOY_GIT_AUTHOR_NAME,
      email: this.config.DEPLOY_GIT_AUTHOR_EMAIL,
    });
    await ws.sync(record.repository, record.baseCommit);
    const remote = await resolveRemote(this.git, record.repository, env.remote);
    let current = record;
    if (!current.branch || !current.remote) {
      const branch = current.branch ?? pickBranch(env.branch, env.branch.includes('*') ? await ws.remoteBranches(remote, env.branch) : [], new Date());
      current = await this.records.update(record.id, () => ({ branch, remote: redactUrl(remote) }), { actor: 'deployer', action: 'target', detail: `${redactUrl(remote)} ${branch}` });
    }
    return new RolloutRun(this.deps, current, env, ws, remote, STRATEGIES[current.strategy](), context, signal, lost);
  }
}
