import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRing } from './api-key-ring';
import { REQUIRED_ROLE } from './auth-metadata';
import { roleAllows, type Principal, type Role } from './roles';

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/**
 * Checks the API key of a request against the role the handler requires:
 * 401 when the key is missing or unknown, 403 when its role is too low.
 * Messages say what to do and never echo the key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly ring: ApiKeyRing,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const needed = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    if (!needed) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
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
    if (!roleAllows(principal.role, needed)) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: `the API key "${principal.name}" has role ${principal.role}; this action needs ${needed} or higher`,
      });
    }
    request.principal = principal;
    return true;
  }
}

function presentedKey(headers: HttpRequest['headers']): string | undefined {
  const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim();
  const authorization = single(headers.authorization);
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization);
    if (match) return match[1].trim();
  }
  return single(headers['x-api-key']) || undefined;
}
