import { lstat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { GitClient } from '@autocode/git';

/** A tracked file at the planned commit: its path and its blob id (a hash of its content). */
export interface TreeEntry {
  path: string;
  blob: string;
  /** Bytes. */
  size: number;
}

/**
 * Reads the target repository at a commit through git (the planner never
 * looks at a working tree that may hold uncommitted edits). The one place
 * in the planner that touches the target.
 */
@Injectable()
export class TargetRepositoryReader {
  constructor(private readonly git: GitClient) {}

  resolveCommit(repository: string, ref: string): Promise<string> {
    return this.git.resolveCommit(repository, ref);
  }

  commitsSince(repository: string, commit: string, hours: number) {
    return this.git.commitsSince(repository, commit, hours);
  }

  /** Regular files (no symlinks, no submodules) at `commit`, with their blob ids. */
  async tree(repository: string, commit: string): Promise<TreeEntry[]> {
    const out = await this.git.exec(repository, ['ls-tree', '-r', '-l', '-z', '--full-tree', commit]);
    const entries: TreeEntry[] = [];
    for (const record of out.split('\0')) {
      if (!record) continue;
      const tab = record.indexOf('\t');
      const [mode, type, blob, size] = record.slice(0, tab).split(/ +/);
      if (type === 'blob' && (mode === '100644' || mode === '100755')) entries.push({ path: record.slice(tab + 1), blob, size: Number(size) });
    }
    return entries;
  }

  /** The content of a blob (small files: manifests, reports, advisories). */
  readBlob(repository: string, blob: string): Promise<string> {
    return this.git.exec(repository, ['cat-file', 'blob', blob]);
  }

  /**
   * Runs `work` in a throw-away checkout of `commit`. The checkout borrows
   * `node_modules` (the repository's own when its working directory has
   * them, else `fallbackNodeModules`) so that its ESLint/Prettier
   * configuration can import its plugins.
   */
  async withCheckout<T>(repository: string, commit: string, fallbackNodeModules: string, work: (dir: string) => Promise<T>): Promise<T> {
    return this.git.withWorktree(repository, commit, async (dir) => {
      const own = join(repository, 'node_modules');
      const modules = (await isDirectory(own)) ? own : fallbackNodeModules;
      await symlink(modules, join(dir, 'node_modules'), 'dir').catch(() => undefined);
      return work(dir);
    });
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}
