import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { z } from 'zod';
import { sha256Hex } from './api-key-ring';
import { presentedKey, type KeyedRequest } from './presented-key';

/** Environment fields of a rate-limited gateway; add them to the app's env schema. */
export const rateLimitEnvFields = {
  /** The window both limits count over. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Requests one API key may make per window (every route together). */
  RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
  /** Requests one client address may make per window, with or without a key. */
  RATE_LIMIT_PER_CLIENT: z.coerce.number().int().min(1).max(10_000_000).default(40_000),
};

export interface RateLimits {
  windowSeconds: number;
  perKey: number;
  perClient: number;
}

export function rateLimitsFromEnv(env: { RATE_LIMIT_WINDOW_SECONDS: number; RATE_LIMIT_PER_KEY: number; RATE_LIMIT_PER_CLIENT: number }): RateLimits {
  return { windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS, perKey: env.RATE_LIMIT_PER_KEY, perClient: env.RATE_LIMIT_PER_CLIENT };
}

/** Names of the two throttlers; they appear in the X-RateLimit-*-<name> headers. */
export const CLIENT_THROTTLER = 'client';
export const KEY_THROTTLER = 'key';

export interface ThrottledRequest extends KeyedRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** The client address a request came from (the socket's; no proxy headers are trusted). */
export function clientAddress(request: ThrottledRequest): string {
  return request.ip ?? request.socket?.remoteAddress ?? 'unknown';
}

/** Per key: the key's digest, so an unknown key is counted too without being kept. */
export function keyTracker(request: ThrottledRequest): string {
  const key = presentedKey(request.headers);
  return key ? sha256Hex(key) : '';
}

export function hasPresentedKey(context: ExecutionContext): boolean {
  return presentedKey(context.switchToHttp().getRequest<ThrottledRequest>().headers) !== undefined;
}

/**
 * @nestjs/throttler's guard with two changes: a limit counts over every
 * route together (the stock key is per handler, so 40 routes would mean 40
 * budgets), and a refusal carries a plain `Retry-After` (the stock one is
 * suffixed with the throttler's name) and says which limit was hit.
 */
@Injectable()
export class GatewayThrottlerGuard extends ThrottlerGuard {
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const response = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    response.setHeader('Retry-After', String(retryAfter));
    const who = detail.key.startsWith(`${KEY_THROTTLER}:`) ? 'this API key' : 'this client address';
    throw new ThrottlerException(`rate limit exceeded: ${who} may make ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s; retry after ${retryAfter} s`);
  }
}
