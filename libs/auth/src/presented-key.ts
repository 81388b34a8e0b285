import type { Principal } from './roles';

export interface KeyedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** The key a request carries, as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(headers: KeyedRequest['headers']): string | undefined {
  const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim();
  const authorization = single(headers.authorization);
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization);
    if (match) return match[1].trim();
  }
  return single(headers['x-api-key']) || undefined;
}
