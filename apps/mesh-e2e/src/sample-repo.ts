import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@autocode/testing';

/** A fresh copy of the bundled sample repository (with its recent history) for one test file. */
export function createSampleRepo(): { path: string; remove: () => void } {
  const parent = mkdtempSync(join(tmpdir(), 'autocode-sample-'));
  const path = join(parent, 'repo');
  execFileSync('bash', [join(WORKSPACE_ROOT, 'scripts/init-sample-repo.sh'), path], { stdio: 'ignore' });
  return { path, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** A one-commit repository, for specs that exercise the task core and do not care what is planned. */
export function createEmptyRepo(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'autocode-empty-'));
  writeFileSync(join(path, 'README.md'), '# empty\n');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@autocode.invalid', ...args], { cwd: path, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'empty');
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
