import { Global, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry, SERVICE_CONFIG } from '@autocode/runtime';
import { Sandbox, SandboxHealthIndicator, WorkspaceManager } from '@autocode/sandbox';
import type { GenerationNodeConfig } from '../config/generation-node.config';
import { locateToolchain, type Toolchain } from './toolchain';

/** Workspaces older than this are leftovers of a process that died mid-task. */
const STALE_WORKSPACE_MS = 6 * 3600 * 1000;

export class GeneratorToolchain {
  constructor(readonly paths: Toolchain) {}
}

/**
 * The sandbox generated code runs in, and the ephemeral workspaces it runs
 * on. Which isolation is in force is logged at start-up and reported under
 * /health/ready (component `sandbox`).
 */
@Global()
@Module({
  providers: [
    {
      provide: GeneratorToolchain,
      useFactory: (config: GenerationNodeConfig) => new GeneratorToolchain(locateToolchain(config.GENERATOR_RUNNER_PATH)),
      inject: [SERVICE_CONFIG],
    },
    {
      provide: Sandbox,
      useFactory: (config: GenerationNodeConfig, toolchain: GeneratorToolchain) =>
        Sandbox.create({
          mode: config.SANDBOX_MODE,
          readOnlyPaths: [toolchain.paths.runnerPath, toolchain.paths.nodeModulesDir],
          defaultMemoryMb: config.GENERATOR_MEMORY_MB,
        }),
      inject: [SERVICE_CONFIG, GeneratorToolchain],
    },
    {
      provide: WorkspaceManager,
      useFactory: (config: GenerationNodeConfig) => new WorkspaceManager({ baseDir: config.WORKSPACE_DIR }),
      inject: [SERVICE_CONFIG],
    },
  ],
  exports: [Sandbox, WorkspaceManager, GeneratorToolchain],
})
export class SandboxModule implements OnModuleInit {
  private readonly logger = new Logger(SandboxModule.name);

  constructor(
    private readonly sandbox: Sandbox,
    private readonly workspaces: WorkspaceManager,
    private readonly health: HealthRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: GenerationNodeConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.health.register(new SandboxHealthIndicator(this.sandbox));
    const swept = await this.workspaces.sweep(STALE_WORKSPACE_MS);
    if (swept) this.logger.warn({ msg: 'removed workspaces left by an earlier process', count: swept, dir: this.workspaces.baseDir });
    this.logger.log({ msg: 'generator limits', timeLimitMs: this.config.GENERATOR_TIME_LIMIT_MS, memoryMb: this.config.GENERATOR_MEMORY_MB, isolation: this.sandbox.status.isolation });
  }
}
