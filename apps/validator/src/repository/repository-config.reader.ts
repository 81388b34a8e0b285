import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { parse as parseYaml } from 'yaml';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import { hookCommandsOf } from '@autocode/validation-record';
import { parseValidationSection, type ValidationSection } from './validation-config';

const CONFIG_FILE = 'autocode.yaml';

/**
 * Reads the validation settings from the unpatched checkout — the commit
 * the change was made against — so a change cannot relax the checks it is
 * judged by. Works the same for local and remote repositories.
 */
@Injectable()
export class ValidationConfigReader {
  async read(base: EphemeralWorkspace): Promise<ValidationSection> {
    return parseValidationSection(await this.text(base));
  }

  /**
   * The deploy hook commands of the base revision's environments, whose
   * files a patch may not touch. Read loosely (the deployer validates that
   * section); a file that is not YAML was already refused by `read`.
   */
  async hookCommands(base: EphemeralWorkspace): Promise<string[]> {
    const text = await this.text(base);
    if (text === undefined) return [];
    try {
      return hookCommandsOf(parseYaml(text));
    } catch {
      return [];
    }
  }

  private async text(base: EphemeralWorkspace): Promise<string | undefined> {
    try {
      return await readFile(join(base.root, CONFIG_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return undefined;
    }
  }
}
