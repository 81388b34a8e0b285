import { Module, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@autocode/runtime';
import { builtInTaskHandler, WorkerRuntime } from '@autocode/worker';
import { SandboxModule } from '../sandbox/sandbox.module';
import { GenerationService } from './generation.service';
import { GeneratorRegistry } from './generator-registry';
import { GeneratorRunnerClient } from './generator-runner.client';
import { GeneratorsHealthIndicator } from './generators.health';
import { LlmGenerator } from './llm.generator';

@Module({ imports: [SandboxModule], providers: [GenerationService, GeneratorRegistry, GeneratorRunnerClient, LlmGenerator] })
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
