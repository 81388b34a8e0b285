import { Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { GitClient } from '@autocode/git';
import { ChatCompletionsClient, llmOptionsFrom } from '@autocode/llm-client';
import { BreakerRegistry } from '@autocode/resilience';
import { HealthRegistry, SERVICE_CONFIG } from '@autocode/runtime';
import { Sandbox, SandboxHealthIndicator, WorkspaceManager } from '@autocode/sandbox';
import { RedisConnection } from '@autocode/state';
import { meshSecretOf, ValidationRecordRepository } from '@autocode/validation-record';
import { builtInTaskHandler, WorkerRuntime } from '@autocode/worker';
import { WorkspaceRuntime } from '@autocode/workspace-runtime';
import type { ValidatorConfig } from '../config/validator.config';
import { ValidationConfigReader } from '../repository/repository-config.reader';
import { AdvisoryClient } from '../stages/advisory.client';
import { AiReviewer, AiReviewStage } from '../stages/ai-review.stage';
import { PerformanceStage } from '../stages/performance.stage';
import { RepositoryChecksStage } from '../stages/repository-checks.stage';
import { ProtectedPathsStage } from '../stages/protected-paths.stage';
import { SecurityStage } from '../stages/security.stage';
import { VALIDATION_STAGES, type ValidationStage } from '../stages/stage';
import { StaticAnalysisStage } from '../stages/static-analysis.stage';
import { SyntaxStage } from '../stages/syntax.stage';
import { UnitTestsStage } from '../stages/unit-tests.stage';
import { SandboxedTools } from '../toolchain/sandboxed-tools';
import { Toolchain } from '../toolchain/toolchain';
import { BaselineCheckRepository } from '../workspace/baseline-check.repository';
import { ValidationRecorder } from './validation-recorder.service';
import { ValidationService } from './validation.service';

/** Workspaces older than this are leftovers of a process that died mid-validation. */
const STALE_WORKSPACE_MS = 6 * 3600 * 1000;

@Module({
  providers: [
    { provide: Toolchain, useFactory: () => Toolchain.locate() },
    {
      provide: Sandbox,
      inject: [SERVICE_CONFIG, Toolchain],
      useFactory: (config: ValidatorConfig, toolchain: Toolchain) =>
        Sandbox.create({ mode: config.SANDBOX_MODE, readOnlyPaths: [toolchain.nodeModules], defaultMemoryMb: config.VALIDATOR_MEMORY_MB }),
    },
    {
      provide: WorkspaceManager,
      inject: [SERVICE_CONFIG],
      useFactory: (config: ValidatorConfig) => new WorkspaceManager(config.WORKSPACE_DIR ? { baseDir: config.WORKSPACE_DIR } : {}),
    },
    {
      provide: AiReviewer,
      inject: [SERVICE_CONFIG, BreakerRegistry],
      useFactory: (config: ValidatorConfig, breakers: BreakerRegistry) => {
        const options = llmOptionsFrom(config);
        return new AiReviewer(options ? new ChatCompletionsClient(options, breakers, 'llm-ai-review') : null);
      },
    },
    // Shares WORKSPACE_CACHE_DIR (managers, Node.js majors, dependency trees) with the planner and the generation node.
    { provide: WorkspaceRuntime, inject: [Sandbox], useFactory: (sandbox: Sandbox) => new WorkspaceRuntime(sandbox) },
    BaselineCheckRepository,
    { provide: GitClient, useFactory: () => new GitClient() },
    {
      provide: ValidationRecordRepository,
      inject: [RedisConnection, SERVICE_CONFIG],
      useFactory: (redis: RedisConnection, config: ValidatorConfig) => new ValidationRecordRepository(redis, { secret: meshSecretOf(config) }),
    },
    SandboxedTools,
    ValidationConfigReader,
    ProtectedPathsStage,
    ValidationRecorder,
    AdvisoryClient,
    RepositoryChecksStage,
    SyntaxStage,
    UnitTestsStage,
    StaticAnalysisStage,
    SecurityStage,
    PerformanceStage,
    AiReviewStage,
    {
      // The order they run in: the repository's own checks first, so the built-in stages know what they already judged.
      provide: VALIDATION_STAGES,
      inject: [RepositoryChecksStage, SyntaxStage, UnitTestsStage, StaticAnalysisStage, SecurityStage, PerformanceStage, AiReviewStage],
      useFactory: (...stages: ValidationStage[]) => stages,
    },
    ValidationService,
  ],
})
export class ValidationModule implements OnModuleInit {
  private readonly logger = new Logger(ValidationModule.name);

  constructor(
    private readonly worker: WorkerRuntime,
    private readonly validation: ValidationService,
    private readonly recorder: ValidationRecorder,
    private readonly sandbox: Sandbox,
    private readonly workspaces: WorkspaceManager,
    private readonly health: HealthRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: ValidatorConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.health.register(new SandboxHealthIndicator(this.sandbox));
    const swept = await this.workspaces.sweep(STALE_WORKSPACE_MS);
    if (swept) this.logger.warn({ msg: 'removed workspaces left by an earlier process', count: swept });
    this.logger.log({ msg: 'validation stages', required: this.config.VALIDATOR_REQUIRED_STAGES, isolation: this.sandbox.status.isolation });
    this.worker.register(
      builtInTaskHandler('validate', async (params, context) => this.recorder.record(params, context, await this.validation.validate(params, context))),
    );
  }
}
