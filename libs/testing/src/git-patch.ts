import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface PatchFixture {
  diff: string;
  filesChanged: number;
  insertions: number;
  deletions: number;
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * The unified diff (with its stats) that replaces or adds `files` on the
 * HEAD of `repository`, as a generator would hand it over. Made in a
 * throw-away clone, so the repository itself is untouched.
 */
export function patchReplacing(repository: string, files: Record<string, string>): PatchFixture {
  const work = mkdtempSync(join(tmpdir(), 'patch-fixture-'));
  try {
    git(work, 'clone', '--quiet', repository, '.');
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(dirname(join(work, file)), { recursive: true });
      writeFileSync(join(work, file), content);
    }
    git(work, 'add', '-A');
    const diff = git(work, 'diff', '--cached');
    const stats = git(work, 'diff', '--cached', '--numstat').trim().split('\n').map((l) => l.split('\t').map(Number));
    return { diff, filesChanged: stats.length, insertions: stats.reduce((n, s) => n + s[0], 0), deletions: stats.reduce((n, s) => n + s[1], 0) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
