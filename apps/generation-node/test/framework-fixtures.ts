import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** npm as bundled with the running Node.js: the manager the fixture repositories declare (package-lock-free, `npm test`). */
export const NPM_CLI = join(dirname(realpathSync(process.execPath)), '../lib/node_modules/npm/bin/npm-cli.js');

/**
 * Installed test frameworks (real packages from the npm registry, exact
 * versions) shared by the specs and kept across runs, so a rerun installs
 * nothing. One directory per dependency set; built beside its final name
 * and renamed into place, so concurrent runs never see half an install.
 */
export const FIXTURE_CACHE_DIR = process.env.AUTOCODE_TEST_FIXTURES_DIR ?? join(homedir(), '.cache/autocode/test-fixtures');

export async function installedFrameworks(devDependencies: Record<string, string>): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify(Object.entries(devDependencies).sort())).digest('hex').slice(0, 16);
  const dir = join(FIXTURE_CACHE_DIR, key);
  if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules');
  const building = `${dir}.build-${randomBytes(4).toString('hex')}`;
  mkdirSync(building, { recursive: true });
  writeFileSync(join(building, 'package.json'), JSON.stringify({ name: 'autocode-test-fixture-deps', private: true, devDependencies }, null, 2));
  // Our own test set-up installing pinned, well-known packages; no repository code is involved.
  await run(process.execPath, [NPM_CLI, 'install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: building, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  try {
    renameSync(building, dir);
  } catch (error) {
    // Another run published the same set first: use theirs.
    if (!existsSync(join(dir, 'node_modules'))) throw error;
    rmSync(building, { recursive: true, force: true });
  }
  return join(dir, 'node_modules');
}

/**
 * Gives a checkout the installed packages: a real node_modules whose
 * entries link into the cache (which the sandbox mounts read-only), so
 * tools can still write their caches (node_modules/.vite) in the checkout.
 */
export function linkNodeModules(checkout: string, installed: string): void {
  const target = join(checkout, 'node_modules');
  mkdirSync(join(target, '.bin'), { recursive: true });
  for (const entry of readdirSync(installed)) {
    if (entry.startsWith('.')) continue;
    symlinkSync(join(installed, entry), join(target, entry));
  }
  const bin = join(installed, '.bin');
  if (!existsSync(bin)) return;
  for (const entry of readdirSync(bin)) symlinkSync(realpathSync(join(bin, entry)), join(target, '.bin', entry));
}
