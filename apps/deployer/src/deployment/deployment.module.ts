import { mkdir } from 'node:fs/promises';
import { Inject, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GitClient } from '@autocode/git';
import { EgressFetcher, HttpModule } from '@autocode/http';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { RedisConnection } from '@autocode/state';
import { meshSecretOf, ValidationRecordRepository } from '@autocode/validation-record';
import { builtInTaskHandler, WorkerRuntime } from '@autocode/worker';
import type { DeployerConfig } from '../config/deployer.config';
import { checkHookUserReach } from '../release/hook-user';
import { sweepWorkspaces } from '../release/release-workspace';
import { ApprovalService } from '../approvals/approval.service';
import { RepositoryConfigReader } from '../environments/repository-config.reader';
import { FeatureFlagRepository } from '../flags/feature-flag.repository';
import { FeatureFlagsController } from '../flags/feature-flags.controller';
import { DeploymentNotifier } from '../notifications/deployment-notifier.service';
import { HealthCheckClient } from '../release/health-check.client';
import { CanaryMetricsRepository } from '../strategies/canary-metrics.repository';
import { DeploymentRepository } from './deployment.repository';
import { DeploymentService } from './deployment.service';
import { DeploymentsController } from './deployments.controller';
import { EnvironmentLock } from './environment-lock.repository';
import { RolloutService } from './rollout.service';
import { ValidationEvidence } from './validation-evidence.service';

@Module({
  imports: [HttpModule],
  controllers: [DeploymentsController, FeatureFlagsController],
  providers: [
    // Pushes and hooks of big repositories take a while; git gets more time than the default minute.
    { provide: GitClient, useFactory: () => new GitClient({ timeoutMs: 300_000 }) },
    // The HttpModule's fetcher: one egress policy (from the validated config) and one connection pool.
    { provide: HealthCheckClient, inject: [EgressFetcher], useFactory: (egress: EgressFetcher) => new HealthCheckClient(egress) },
    RepositoryConfigReader,
    DeploymentRepository,
    EnvironmentLock,
    FeatureFlagRepository,
    CanaryMetricsRepository,
    DeploymentNotifier,
    ApprovalService,
    RolloutService,
    {
      provide: ValidationRecordRepository,
      inject: [RedisConnection, SERVICE_CONFIG],
      useFactory: (redis: RedisConnection, config: DeployerConfig) => new ValidationRecordRepository(redis, { secret: meshSecretOf(config) }),
    },
    ValidationEvidence,
    DeploymentService,
  ],
})
export class DeploymentModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DeploymentModule.name);

  constructor(
    private readonly worker: WorkerRuntime,
    private readonly deployments: DeploymentService,
    private readonly notifier: DeploymentNotifier,
    @Inject(SERVICE_CONFIG) private readonly config: DeployerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.checkHookIsolation();
    const swept = await sweepWorkspaces(this.config.DEPLOY_WORKSPACE_DIR);
    if (swept) this.logger.log({ msg: 'removed workspaces of repositories that no longer exist', count: swept });
    this.worker.register(builtInTaskHandler('deploy', (params, context) => this.deployments.deploy(params, context)));
  }

  /** A hook user that cannot reach the workspace would fail every deployment: say so at start-up instead. */
  private async checkHookIsolation(): Promise<void> {
    const user = this.config.DEPLOY_HOOK_USER;
    if (!user) {
      if (process.getuid?.() === 0) {
        this.logger.warn({ msg: 'deploy hooks run as root, like the deployer: a hook can read the deployer\'s files and /proc/<pid>/environ; set DEPLOY_HOOK_USER' });
      }
      return;
    }
    await mkdir(this.config.DEPLOY_WORKSPACE_DIR, { recursive: true });
    const problem = await checkHookUserReach(user, this.config.DEPLOY_WORKSPACE_DIR);
    if (problem) throw new Error(`DEPLOY_HOOK_USER: ${problem}`);
    this.logger.log({ msg: 'deploy hooks run as another user', user: user.name, uid: user.uid });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.notifier.drain();
  }
}
