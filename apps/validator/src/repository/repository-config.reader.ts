import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { EphemeralWorkspace } from '@autocode/sandbox';
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
    let text: string | undefined;
    try {
      text = await readFile(join(base.root, CONFIG_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return parseValidationSection(text);
  }
}
