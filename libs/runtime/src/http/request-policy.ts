import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function refuse(response: Response, status: number, error: string, message: string): void {
  response.status(status).json({ statusCode: status, error, message });
}

/**
 * Request bodies must be JSON. A cross-origin page can send `text/plain`
 * or a form without a CORS preflight; refusing every other type (415)
 * before anything is parsed keeps such requests away from the handlers.
 * A body-less request may omit the type.
 */
export function requireJsonBodies() {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!BODY_METHODS.has(request.method)) return next();
    const type = request.headers['content-type'];
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (type === undefined) {
      if (!hasBody) return next();
      return refuse(response, 415, 'Unsupported Media Type', 'a request body needs "Content-Type: application/json"');
    }
    const media = type.split(';')[0].trim().toLowerCase();
    if (media === 'application/json') return next();
    refuse(response, 415, 'Unsupported Media Type', `request bodies must be application/json, not ${JSON.stringify(media.slice(0, 100))}`);
  };
}

/** The hosts every service answers to besides its configured HTTP_HOST. */
export const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** The host name of a Host header (port dropped; IPv6 keeps its brackets), lower-cased. */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  return value.split(':')[0];
}

/**
 * Answers only requests whose Host is one of `allowed` (421 otherwise):
 * DNS rebinding turns a victim's browser into a client of a loopback
 * service, and it can only do so under a host name of the attacker's.
 * Paths under `exemptPrefixes` (health probes, which orchestrators call by
 * pod address) are not checked. `*` allows any host.
 */
export function allowHosts(allowed: readonly string[], exemptPrefixes: readonly string[] = ['/health/']) {
  const hosts = new Set(allowed.map(hostName));
  return (request: Request, response: Response, next: NextFunction): void => {
    if (hosts.has('*') || exemptPrefixes.some((prefix) => request.path.startsWith(prefix))) return next();
    const header = request.headers.host;
    if (header && hosts.has(hostName(header))) return next();
    refuse(
      response,
      421,
      'Misdirected Request',
      `this service does not answer to host ${JSON.stringify((header ?? '').slice(0, 200))}; allowed: ${[...hosts].join(', ')} (set HTTP_ALLOWED_HOSTS)`,
    );
  };
}

const csvList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  );

/** Environment fields of a service that is a public gateway; add them to its env schema. */
export const gatewayEnvFields = {
  /** Host names (Host header) the gateway answers to, comma-separated, besides localhost, 127.0.0.1, [::1] and HTTP_HOST; `*` for any. */
  HTTP_ALLOWED_HOSTS: csvList,
  /** Origins allowed to call from a browser (CORS); none when empty. */
  HTTP_CORS_ORIGINS: csvList.pipe(z.array(z.union([z.literal('*'), z.url()]))),
};

export interface GatewayPolicy {
  allowedHosts: string[];
  corsOrigins: string[];
}

export function gatewayPolicyFromEnv(env: { HTTP_HOST: string; HTTP_ALLOWED_HOSTS: string[]; HTTP_CORS_ORIGINS: string[] }): GatewayPolicy {
  const configured = env.HTTP_HOST.includes(':') && !env.HTTP_HOST.startsWith('[') ? `[${env.HTTP_HOST}]` : env.HTTP_HOST;
  return { allowedHosts: [...new Set([...LOCAL_HOSTS, configured, ...env.HTTP_ALLOWED_HOSTS])], corsOrigins: env.HTTP_CORS_ORIGINS };
}
