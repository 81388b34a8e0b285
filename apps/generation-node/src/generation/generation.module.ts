import { Module, type OnModuleInit } from '@nestjs/common';
import { builtInTaskHandler, WorkerRuntime } from '@autocode/worker';
import { SandboxModule } from '../sandbox/sandbox.module';
import { GenerationService } from './generation.service';
import { GeneratorRegistry } from './generator-registry';
import { GeneratorRunnerClient } from './generator-runner.client';

@Module({ imports: [SandboxModule], providers: [GenerationService, GeneratorRegistry, GeneratorRunnerClient] })
export class GenerationModule implements OnModuleInit {
  constructor(
    private readonly worker: WorkerRuntime,
    private readonly generation: GenerationService,
  ) {}

  onModuleInit(): void {
    this.worker.register(builtInTaskHandler('generate', (params, context) => this.generation.generate(params, context)));
  }
}
