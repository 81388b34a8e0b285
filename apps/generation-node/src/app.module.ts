import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@autocode/platform';
import { WorkerModule, workerOptionsFrom } from '@autocode/worker';
import type { GenerationNodeConfig } from './config/generation-node.config';
import { DiagnosticsModule } from './diagnostics/diagnostics.module';
import { GenerationModule } from './generation/generation.module';

@Module({})
export class AppModule {}

export function generationNodeModule(config: GenerationNodeConfig): DynamicModule {
  return {
    module: AppModule,
    imports: [
      PlatformModule.forRoot('generation-node', config),
      WorkerModule.forRoot(workerOptionsFrom('generation', config)),
      GenerationModule,
      DiagnosticsModule,
    ],
  };
}
