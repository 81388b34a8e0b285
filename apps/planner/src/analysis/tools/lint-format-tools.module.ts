import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry, SERVICE_CONFIG } from '@autocode/runtime';
import { Sandbox, SandboxHealthIndicator } from '@autocode/sandbox';
import type { PlannerConfig } from '../../config/planner.config';
import { LintFormatClient, MESH_NODE_MODULES } from './lint-format.client';

/**
 * The sandbox the planner runs the target's ESLint and Prettier
 * configuration in (it is repository code), and the client that does.
 * Which isolation is in force is logged at start-up and reported under
 * /health/ready (component `sandbox`).
 */
@Global()
@Module({
  providers: [
    {
      provide: Sandbox,
      inject: [SERVICE_CONFIG],
      useFactory: (config: PlannerConfig) => Sandbox.create({ mode: config.SANDBOX_MODE, readOnlyPaths: [MESH_NODE_MODULES], defaultMemoryMb: config.PLANNER_TOOL_MEMORY_MB }),
    },
    {
      provide: LintFormatClient,
      inject: [Sandbox, SERVICE_CONFIG],
      useFactory: (sandbox: Sandbox, config: PlannerConfig) =>
        new LintFormatClient(sandbox, { timeoutMs: config.PLANNER_TOOL_TIMEOUT_MS, memoryMb: config.PLANNER_TOOL_MEMORY_MB, processes: config.PLANNER_TOOL_PROCESSES }),
    },
  ],
  exports: [Sandbox, LintFormatClient],
})
export class LintFormatToolsModule implements OnModuleInit {
  constructor(
    private readonly sandbox: Sandbox,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register(new SandboxHealthIndicator(this.sandbox));
  }
}
