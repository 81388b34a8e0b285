import { type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRing } from './api-key-ring';
import { AUTH_OPTIONS, type AuthOptions } from './auth-options';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from './auth-metadata';
import { presentedKey, type KeyedRequest } from './presented-key';
import { roleAllows, type Role } from './roles';

/**
 * Checks the API key of a request against the role the handler requires:
 * 401 when the key is missing or unknown, 403 when its role is too low.
 * Messages say what to do and never echo the key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly options: AuthOptions;

  constructor(
    private readonly reflector: Reflector,
    private readonly ring: ApiKeyRing,
    @Optional() @Inject(AUTH_OPTIONS) options?: AuthOptions,
  ) {
    this.options = options ?? {};
  }

  /** The role a route needs, or undefined when it is open. */
  requiredRole(context: ExecutionContext): Role | undefined {
    const targets = [context.getHandler(), context.getClass()];
    const declared = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (declared) return declared;
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets)) return undefined;
    if (this.options.publicControllers?.includes(context.getClass())) return undefined;
    return this.options.defaultRole;
  }

  canActivate(context: ExecutionContext): boolean {
    const needed = this.requiredRole(context);
    if (!needed) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<KeyedRequest>();
    const response = http.getResponse<{ setHeader(name: string, value: string): void }>();
    const presented = presentedKey(request.headers);
    const unauthorized = (message: string) => {
      response.setHeader('WWW-Authenticate', 'Bearer realm="autocode"');
      return new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message });
    };
    if (this.ring.size === 0) throw unauthorized('no API keys are configured on this service: set API_KEYS or API_KEYS_FILE');
    if (!presented) throw unauthorized(`an API key with role ${needed} or higher is required: send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"`);
    const principal = this.ring.authenticate(presented);
    if (!principal) throw unauthorized('the API key is not valid');
    // Known before the role check, so an audit entry of a refused action names who tried it.
    request.principal = principal;
    if (!roleAllows(principal.role, needed)) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: `the API key "${principal.name}" has role ${principal.role}; this action needs ${needed} or higher`,
      });
    }
    return true;
  }
}
