import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { GitClient, GitError } from '@autocode/git';
import { CONFIG_FILE, parseDeploymentConfig, type DeploymentConfig } from './environment-config';

export function isRemoteLocation(repository: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) || /^[^/]+@[^:]+:/.test(repository);
}

/**
 * Reads autocode.yaml as of the commit the change was made against — not
 * from the patched tree, so a generated change cannot rewrite its own
 * deploy hook or drop its approval.
 */
@Injectable()
export class RepositoryConfigReader {
  constructor(private readonly git: GitClient) {}

  async read(repository: string, commit: string): Promise<DeploymentConfig> {
    return parseDeploymentConfig(await this.fileAt(repository, commit));
  }

  private async fileAt(repository: string, commit: string): Promise<string | undefined> {
    if (!isRemoteLocation(repository)) return this.show(repository, commit);
    // A remote repository: fetch just that commit into a throw-away repository.
    const dir = await mkdtemp(join(tmpdir(), 'autocode-config-'));
    try {
      await this.git.exec(dir, ['init', '--quiet', '--bare']);
      await this.git.exec(dir, ['fetch', '--quiet', '--depth=1', '--no-tags', repository, commit]);
      return await this.show(dir, commit);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async show(repository: string, commit: string): Promise<string | undefined> {
    const listed = await this.git.exec(repository, ['ls-tree', '--name-only', commit, '--', CONFIG_FILE]).catch((error: unknown) => {
      if (error instanceof GitError) throw new Error(`cannot read commit ${commit} of the target repository: ${error.message}`);
      throw error;
    });
    if (!listed.trim()) return undefined;
    return this.git.exec(repository, ['show', `${commit}:${CONFIG_FILE}`]);
  }
}
