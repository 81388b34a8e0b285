import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Where tests keep registry downloads, managers and prepared trees, so reruns are warm. */
export const TEST_WORKSPACE_CACHE_DIR = process.env.WORKSPACE_TEST_CACHE_DIR || join(homedir(), '.cache', 'autocode', 'test-workspace');

const made = new Map<string, Promise<string>>();

/**
 * The package-lock.json the host's npm writes for `packageJson` from the
 * real registry. A fixture is the test's own code, not a target's, so the
 * host's npm may resolve it; the repository's own tools (its ESLint, its
 * Prettier) are what the mesh runs, so a fixture that wants them declares
 * and locks them. One resolution per manifest per test process.
 */
export function npmLockfile(packageJson: string): Promise<string> {
  let lockfile = made.get(packageJson);
  if (!lockfile) {
    lockfile = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fixture-lockfile-'));
      try {
        writeFileSync(join(dir, 'package.json'), packageJson);
        const cache = join(TEST_WORKSPACE_CACHE_DIR, 'npm-cache');
        await execFileAsync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--cache', cache], { cwd: dir });
        return readFileSync(join(dir, 'package-lock.json'), 'utf8');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    made.set(packageJson, lockfile);
  }
  return lockfile;
}

/** `files` plus the package-lock.json for its package.json (see npmLockfile). */
export async function withNpmLockfile(files: Record<string, string>): Promise<Record<string, string>> {
  return { ...files, 'package-lock.json': await npmLockfile(files['package.json']) };
}

/** A fixture's package.json: an ES module package with these devDependencies. */
export const fixtureManifest = (devDependencies: Record<string, string>, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ name: 'fixture', version: '1.0.0', private: true, type: 'module', devDependencies, ...extra }, null, 2)}\n`;
