import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRing } from './api-key-ring';

/** Makes `@Authorize(role)` work in every module of the app. */
@Global()
@Module({})
export class AuthModule {
  static forRoot(ring: ApiKeyRing): DynamicModule {
    return {
      module: AuthModule,
      providers: [{ provide: ApiKeyRing, useValue: ring }, ApiKeyGuard],
      exports: [ApiKeyRing, ApiKeyGuard],
    };
  }
}
