import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRing } from './api-key-ring';
import { AUTH_OPTIONS, type AuthOptions } from './auth-options';
import { CLIENT_THROTTLER, clientAddress, GatewayThrottlerGuard, hasPresentedKey, KEY_THROTTLER, keyTracker, type RateLimits, type ThrottledRequest } from './rate-limit';

export interface AuthModuleOptions extends AuthOptions {
  /** Per-key and per-client request budgets (429 with Retry-After past them). */
  rateLimits?: RateLimits;
}

/**
 * Makes `@Authorize(role)` work in every module of the app. With
 * `defaultRole` the key guard runs on every route (secure by default); with
 * `rateLimits` a throttler runs before it, so guessing keys is throttled too.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(ring: ApiKeyRing, options: AuthModuleOptions = {}): DynamicModule {
    const { rateLimits, ...authOptions } = options;
    const imports: DynamicModule[] = [];
    // Global guards run in the order they are provided: the throttler first.
    const guards: Provider[] = [];
    if (rateLimits) {
      const ttl = rateLimits.windowSeconds * 1000;
      imports.push(
        ThrottlerModule.forRoot({
          throttlers: [
            { name: CLIENT_THROTTLER, ttl, limit: rateLimits.perClient, getTracker: (req) => clientAddress(req as ThrottledRequest) },
            { name: KEY_THROTTLER, ttl, limit: rateLimits.perKey, getTracker: (req) => keyTracker(req as ThrottledRequest), skipIf: (context) => !hasPresentedKey(context) },
          ],
        }),
      );
      guards.push({ provide: APP_GUARD, useClass: GatewayThrottlerGuard });
    }
    if (authOptions.defaultRole) guards.push({ provide: APP_GUARD, useExisting: ApiKeyGuard });
    return {
      module: AuthModule,
      imports,
      providers: [{ provide: ApiKeyRing, useValue: ring }, { provide: AUTH_OPTIONS, useValue: authOptions }, ApiKeyGuard, ...guards],
      exports: [ApiKeyRing, ApiKeyGuard, AUTH_OPTIONS],
    };
  }
}
