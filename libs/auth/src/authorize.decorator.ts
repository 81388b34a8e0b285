import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiKeyGuard } from './api-key.guard';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from './auth-metadata';
import type { Principal, Role } from './roles';

/** The OpenAPI security scheme name services register (`addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SCHEME)`). */
export const API_KEY_SCHEME = 'api-key';

/** Requires an API key with at least `role` (on a controller or a handler; the handler's wins). */
export function Authorize(role: Role): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_ROLE, role), UseGuards(ApiKeyGuard), ApiSecurity(API_KEY_SCHEME));
}

/** Opens a route to anonymous callers even where the app requires a key by default. Use sparingly. */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_ROUTE, true);
}

/** The authenticated caller of an @Authorize'd handler. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a handler without @Authorize');
  return principal;
});
