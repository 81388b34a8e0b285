import { Module, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@autocode/runtime';
import { Sandbox } from '@autocode/sandbox';
import { builtInTaskHandler, WorkerRuntime } from '@autocode/worker';
import { WorkspaceRuntime } from '@autocode/workspace-runtime';
import { SandboxModule } from '../sandbox/sandbox.module';
import { GenerationService } from './generation.service';
import { GeneratorRegistry } from './generator-registry';
import { GeneratorRunnerClient } from './generator-runner.client';
import { GeneratorsHealthIndicator } from './generators.health';
import { LlmGenerator } from './llm.generator';
import { RepositoryToolchain } from './repository-toolchain';

@Module({
  imports: [SandboxModule],
  providers: [
    GenerationService,
    GeneratorRegistry,
    GeneratorRunnerClient,
    LlmGenerator,
    RepositoryToolchain,
    // The repository's dependencies for its own tools; WORKSPACE_CACHE_DIR is shared with the planner and validator.
    { provide: WorkspaceRuntime, inject: [Sandbox], useFactory: (sandbox: Sandbox) => new WorkspaceRuntime(sandbox) },
  ],
})
export class GenerationModule implements OnModuleInit {
  constructor(
    private readonly worker: WorkerRuntime,
    private readonly generation: GenerationService,
    private readonly registry: GeneratorRegistry,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register(new GeneratorsHealthIndicator(this.registry));
    this.worker.register(builtInTaskHandler('generate', (params, context) => this.generation.generate(params, context)));
  }
}
