import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The lease of one attempt: a secret the orchestrator draws when it hands
 * the attempt to a worker. Only that worker learns it (in its assignment),
 * so a result, progress report or checkpoint carrying it can only come
 * from the worker the attempt was given to; the orchestrator keeps only
 * its hash. Stop orders carry the hash, which the worker can check against
 * the token it holds, so a stop order is as hard to forge as a result.
 */

/** 192 random bits, base64url: far beyond guessing, short enough for every report. */
const LEASE_TOKEN_BYTES = 24;

export const leaseTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{22,128}$/, 'must be the lease token of the assignment (base64url, at least 128 bits)');
/** sha256 of the token, base64url (43 characters: fits the compact encoding of a Redis hash). */
export const leaseHashSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the sha256 (base64url) of a lease token');

export function newLeaseToken(): string {
  return randomBytes(LEASE_TOKEN_BYTES).toString('base64url');
}

/** Draws `count` tokens at once (one call into the entropy pool), each with its hash. */
export function newLeases(count: number): Array<{ token: string; hash: string }> {
  const bytes = randomBytes(LEASE_TOKEN_BYTES * count);
  return Array.from({ length: count }, (_, i) => {
    const token = bytes.subarray(i * LEASE_TOKEN_BYTES, (i + 1) * LEASE_TOKEN_BYTES).toString('base64url');
    return { token, hash: leaseHashOf(token) };
  });
}

export function leaseHashOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** True when `token` hashes to `expectedHash`; constant-time in the comparison. */
export function leaseMatches(token: string, expectedHash: string | null | undefined): boolean {
  if (!expectedHash) return false;
  const actual = Buffer.from(leaseHashOf(token));
  const expected = Buffer.from(expectedHash);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
