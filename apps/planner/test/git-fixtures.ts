import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WORKSPACE_ROOT } from '@autocode/testing';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'Fixture', GIT_AUTHOR_EMAIL: 'fixture@autocode.invalid', GIT_COMMITTER_NAME: 'Fixture', GIT_COMMITTER_EMAIL: 'fixture@autocode.invalid' };

export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd: repo, env: GIT_ENV, encoding: 'utf8' }).trim();
}

/** Writes `files` and commits them; returns the new commit. */
export function commit(repo: string, message: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  git(repo, 'add', '--', ...Object.keys(files));
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

/** A fresh copy of the bundled sample repository, with its recent history. */
export function sampleRepo(): { path: string; remove: () => void } {
  const parent = mkdtempSync(join(tmpdir(), 'autocode-planner-sample-'));
  const path = join(parent, 'repo');
  execFileSync('bash', [join(WORKSPACE_ROOT, 'scripts/init-sample-repo.sh'), path], { stdio: 'ignore' });
  return { path, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** An empty repository with `files` in a first commit. */
export function fixtureRepo(files: Record<string, string>): { path: string; remove: () => void } {
  const parent = mkdtempSync(join(tmpdir(), 'autocode-planner-fixture-'));
  const path = join(parent, 'repo');
  mkdirSync(path);
  git(path, 'init', '-q', '-b', 'main');
  commit(path, 'Initial commit', files);
  return { path, remove: () => rmSync(parent, { recursive: true, force: true }) };
}
