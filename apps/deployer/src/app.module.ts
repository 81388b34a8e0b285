import { type DynamicModule, Module } from '@nestjs/common';
import { apiKeysFromEnv, AuthModule } from '@autocode/auth';
import { PlatformModule } from '@autocode/platform';
import { WorkerModule, workerOptionsFrom } from '@autocode/worker';
import type { DeployerConfig } from './config/deployer.config';
import { DeploymentModule } from './deployment/deployment.module';

@Module({})
export class AppModule {}

export function deployerModule(config: DeployerConfig): DynamicModule {
  return {
    module: AppModule,
    imports: [
      PlatformModule.forRoot('deployer', config),
      WorkerModule.forRoot(workerOptionsFrom('deployment', config)),
      AuthModule.forRoot(apiKeysFromEnv(config)),
      DeploymentModule,
    ],
  };
}
