import { Module, type OnModuleInit } from '@nestjs/common';
import { builtInTaskHandler, WorkerRuntime } from '@autocode/worker';
import { GenerationService } from './generation.service';

@Module({ providers: [GenerationService] })
export class GenerationModule implements OnModuleInit {
  constructor(
    private readonly worker: WorkerRuntime,
    private readonly generation: GenerationService,
  ) {}

  onModuleInit(): void {
    this.worker.register(builtInTaskHandler('generate', (params, context) => this.generation.generate(params, context)));
  }
}
