import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/**
 * The identity of a patch: SHA-256 of its bytes (UTF-8), lower-case hex.
 * The validator records under it and the deployer looks it up under it, so
 * a deployment is tied to exactly the bytes a validator judged.
 */
export function patchSha256(diff: string): string {
  return createHash('sha256').update(diff, 'utf8').digest('hex');
}

/** How a patch is named in messages: `sha256:<hex>`. */
export function patchLabel(sha256: string): string {
  return `sha256:${sha256}`;
}

export function isRemoteRepository(repository: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) || /^[^/]+@[^:]+:/.test(repository);
}

/**
 * One spelling per repository, whoever names it: a local path made
 * absolute, a URL without its credentials (they change; the repository
 * does not, and they must not end up in Redis).
 */
export function repositoryIdentity(repository: string): string {
  if (!isRemoteRepository(repository)) return resolve(repository);
  return repository.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}
