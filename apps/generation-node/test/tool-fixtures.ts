import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_WORKSPACE_CACHE_DIR } from './generation-harness';

const execFileAsync = promisify(execFile);

/**
 * `files` plus the package-lock.json the host's npm writes for its
 * package.json from the real registry (the fixture is the test's own code,
 * not a target's). Downloads go to the shared test cache, so reruns are warm.
 */
export async function withNpmLockfile(files: Record<string, string>): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'generation-lockfile-'));
  try {
    writeFileSync(join(dir, 'package.json'), files['package.json']);
    await execFileAsync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--cache', join(TEST_WORKSPACE_CACHE_DIR, 'npm-cache')], { cwd: dir });
    return { ...files, 'package-lock.json': readFileSync(join(dir, 'package-lock.json'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const manifest = (devDependencies: Record<string, string>, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ name: 'fixture', version: '1.0.0', private: true, type: 'module', devDependencies, ...extra }, null, 2)}\n`;
