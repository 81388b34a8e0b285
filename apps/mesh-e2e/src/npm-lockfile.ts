import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const made = new Map<string, Promise<string>>();

/**
 * The package-lock.json the host's npm writes for `packageJson` from the
 * real registry (a fixture is the test's own code, not a target's): the
 * repository's own tools (its ESLint, its Prettier) are what the mesh
 * runs, so a fixture that wants them linted declares and locks them.
 * Downloads are cached in the shared test cache; one call per manifest.
 */
export function npmLockfile(packageJson: string): Promise<string> {
  let lockfile = made.get(packageJson);
  if (!lockfile) {
    lockfile = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'e2e-lockfile-'));
      try {
        writeFileSync(join(dir, 'package.json'), packageJson);
        const cache = join(process.env.WORKSPACE_TEST_CACHE_DIR || join(homedir(), '.cache', 'autocode', 'test-workspace'), 'npm-cache');
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
