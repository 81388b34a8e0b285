import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@autocode/platform';
import { WorkerModule, workerOptionsFrom } from '@autocode/worker';
import type { ValidatorConfig } from './config/validator.config';
import { ValidationModule } from './validation/validation.module';

@Module({})
export class AppModule {}

export function validatorModule(config: ValidatorConfig): DynamicModule {
  return {
    module: AppModule,
    imports: [PlatformModule.forRoot('validator', config), WorkerModule.forRoot(workerOptionsFrom('validation', config)), ValidationModule],
  };
}
