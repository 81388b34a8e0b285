import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry, SERVICE_CONFIG } from '@autocode/runtime';
import { Sandbox, SandboxHealthIndicator } from '@autocode/sandbox';
import { WorkspaceRuntime } from '@autocode/workspace-runtime';
import type { PlannerConfig } from '../../config/planner.config';
import { LintFormatClient, MESH_NODE_MODULES } from './lint-format.client';
import { RepositoryToolsAnalysis } from './repository-tools.analysis';

/**
 * The sandbox the planner runs the target's own ESLint and formatter in
 * (they and their configuration are repository code), the workspace
 * runtime that installs them from the target's lockfile (cached in
 * WORKSPACE_CACHE_DIR, shared with the other services), and the client.
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
    { provide: WorkspaceRuntime, inject: [Sandbox], useFactory: (sandbox: Sandbox) => new WorkspaceRuntime(sandbox) },
    {
      provide: LintFormatClient,
      inject: [Sandbox, SERVICE_CONFIG],
      useFactory: (sandbox: Sandbox, config: PlannerConfig) =>
        new LintFormatClient(sandbox, { timeoutMs: config.PLANNER_TOOL_TIMEOUT_MS, memoryMb: config.PLANNER_TOOL_MEMORY_MB, processes: config.PLANNER_TOOL_PROCESSES }),
    },
    RepositoryToolsAnalysis,
  ],
  exports: [Sandbox, WorkspaceRuntime, LintFormatClient, RepositoryToolsAnalysis],
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
