import { type DynamicModule, Global, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@autocode/runtime';
import { RedisConnection, type RedisConnectionOptions } from './redis-connection';
import { RedisHealthIndicator } from './redis.health';

@Injectable()
class StateLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly redis: RedisConnection,
    private readonly health: HealthRegistry,
    private readonly indicator: RedisHealthIndicator,
  ) {}

  onModuleInit(): void {
    this.health.register(this.indicator);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.close();
  }
}

@Global()
@Module({})
export class StateModule {
  static forRoot(options: RedisConnectionOptions): DynamicModule {
    return {
      module: StateModule,
      providers: [
        { provide: RedisConnection, useFactory: () => new RedisConnection(options) },
        RedisHealthIndicator,
        StateLifecycle,
      ],
      exports: [RedisConnection],
    };
  }
}
