import { type DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
import { ServiceRunner } from './bootstrap/service-runner';
import { SERVICE_CONFIG, ServiceIdentity } from './service-identity';

@Global()
@Module({})
export class RuntimeModule {
  static forRoot(options: { service: string; instanceId: string; config: unknown }): DynamicModule {
    return {
      module: RuntimeModule,
      controllers: [HealthController],
      providers: [
        HealthRegistry,
        ServiceRunner,
        { provide: ServiceIdentity, useValue: new ServiceIdentity(options) },
        { provide: SERVICE_CONFIG, useValue: options.config },
      ],
      exports: [HealthRegistry, ServiceRunner, ServiceIdentity, SERVICE_CONFIG],
    };
  }
}
