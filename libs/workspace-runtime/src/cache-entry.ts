import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readlink, realpath, rm, symlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';

/**
 * A cache entry shared by several processes (planner, generation node,
 * validator on one host): built once, then read by all.
 *
 * An entry is built in a directory of its own (`<name>.build-<random>`)
 * that never moves — installs record absolute paths (pnpm's bin shims,
 * native builds), so renaming a finished tree would break it — and is
 * published by creating the symlink `<name>` → that directory, which is
 * atomic and first-wins: a reader sees no entry or a complete one. A lock
 * file (O_EXCL, with the owner's pid) keeps two processes from building
 * the same entry at once; a lock whose owner died, or older than
 * `staleAfterMs`, is taken over.
 */

export interface CacheEntryOptions {
  /** How long a lock may be held before others consider its owner hung. */
  staleAfterMs: number;
  /** How long to wait for another process's build before giving up. */
  waitMs: number;
}

export class CacheLockTimeoutError extends Error {
  constructor(readonly entry: string) {
    super(`timed out waiting for another process to build ${entry}`);
    this.name = 'CacheLockTimeoutError';
  }
}

/** The published directory of `entry`, or undefined. */
export async function publishedEntry(entry: string): Promise<string | undefined> {
  try {
    await readlink(entry);
    return await realpath(entry);
  } catch {
    return undefined;
  }
}

/**
 * Returns the published directory of `entry`, building it with `build(dir)`
 * if nobody has. `built` says whether this call built it.
 */
export async function ensureCacheEntry(entry: string, build: (dir: string) => Promise<void>, options: CacheEntryOptions): Promise<{ dir: string; built: boolean }> {
  const existing = await publishedEntry(entry);
  if (existing) return { dir: existing, built: false };
  await mkdir(dirname(entry), { recursive: true });
  const lock = await acquireLock(`${entry}.lock`, entry, options);
  if (!lock) return { dir: (await publishedEntry(entry))!, built: false };
  try {
    const raced = await publishedEntry(entry);
    if (raced) return { dir: raced, built: false };
    const dir = `${entry}.build-${randomBytes(4).toString('hex')}`;
    await mkdir(dir);
    try {
      await build(dir);
      await symlink(basename(dir), entry);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return { dir: await realpath(entry), built: true };
  } finally {
    await lock.release();
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: number;
}

/** Takes the lock, or returns undefined as soon as the entry is published by its holder. */
async function acquireLock(path: string, entry: string, options: CacheEntryOptions): Promise<{ release: () => Promise<void> } | undefined> {
  const token: LockOwner = { pid: process.pid, host: hostname(), since: Date.now() };
  const deadline = Date.now() + options.waitMs;
  let pause = 100;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify(token));
      await handle.close();
      return { release: () => releaseLock(path, token) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await publishedEntry(entry)) return undefined;
    const owner = await readOwner(path);
    if (owner && isStale(owner, options.staleAfterMs)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new CacheLockTimeoutError(entry);
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 1000);
  }
}

async function releaseLock(path: string, token: LockOwner): Promise<void> {
  // Only our own lock: after a stale-lock takeover the file may be someone else's.
  const owner = await readOwner(path);
  if (owner?.pid === token.pid && owner.since === token.since && owner.host === token.host) await rm(path, { force: true });
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    return undefined; // gone, or being written: not stale yet
  }
}

function isStale(owner: LockOwner, staleAfterMs: number): boolean {
  if (Date.now() - owner.since > staleAfterMs) return true;
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
