import { Injectable } from '@nestjs/common';
import { GitClient, GitError } from '@autocode/git';
import { parseValidationSection, type ValidationSection } from './validation-config';

const CONFIG_FILE = 'autocode.yaml';

/**
 * Reads the validation settings as of the commit the change was made
 * against — not from the patched tree, so a change cannot relax the checks
 * it is judged by.
 */
@Injectable()
export class ValidationConfigReader {
  constructor(private readonly git: GitClient) {}

  async read(repository: string, commit: string): Promise<ValidationSection> {
    let listed: string;
    try {
      listed = await this.git.exec(repository, ['ls-tree', '--name-only', commit, '--', CONFIG_FILE]);
    } catch (error) {
      if (error instanceof GitError) return parseValidationSection(undefined); // a remote repository: its file is read from the workspace instead
      throw error;
    }
    if (!listed.trim()) return parseValidationSection(undefined);
    return parseValidationSection(await this.git.exec(repository, ['show', `${commit}:${CONFIG_FILE}`]));
  }
}
