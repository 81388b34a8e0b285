import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import type { FileGenerator, FileGeneratorFactory, FileOutcome } from './file-generator';
import { PermanentGeneratorError } from './file-generator';

/**
 * Prettier, with the repository's configuration (.prettierrc*, package.json
 * "prettier", .editorconfig) and its .prettierignore; Prettier's defaults
 * where it has none. Files Prettier has no parser for are skipped.
 */
export const formatGenerator: FileGeneratorFactory = (root): FileGenerator => {
  let formatted = 0;
  return {
    select: (candidates) => candidates,
    async processFile(file): Promise<FileOutcome> {
      const path = join(root, file);
      const info = await prettier.getFileInfo(path, { ignorePath: [join(root, '.prettierignore')], resolveConfig: true });
      if (info.ignored) return { status: 'skipped', touched: [], detail: 'ignored by .prettierignore' };
      if (!info.inferredParser) return { status: 'skipped', touched: [], detail: 'no Prettier parser for this file' };
      let options: prettier.Options | null;
      try {
        options = await prettier.resolveConfig(path, { editorconfig: true });
      } catch (error) {
        throw new PermanentGeneratorError(`the repository's Prettier configuration cannot be loaded: ${(error as Error).message}`);
      }
      const source = readFileSync(path, 'utf8');
      let output: string;
      try {
        output = await prettier.format(source, { ...options, filepath: path });
      } catch (error) {
        return { status: 'skipped', touched: [], detail: `Prettier cannot parse it: ${(error as Error).message.split('\n')[0]}` };
      }
      if (output === source) return { status: 'unchanged', touched: [] };
      writeFileSync(path, output);
      formatted += 1;
      return { status: 'changed', touched: [file] };
    },
    async finish() {
      return { notes: [], stats: { formatted } };
    },
  };
};
