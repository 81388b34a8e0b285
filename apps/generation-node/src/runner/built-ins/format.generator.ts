import type { FileGenerator, FileGeneratorFactory, FileOutcome } from './file-generator';
import { PermanentGeneratorError } from './file-generator';
import { type Formatter, repositoryFormatter, repositoryToolContext } from './repository-tools';

/**
 * The repository's own formatter at its version and with its
 * configuration: Prettier (its .prettierrc*, package.json "prettier",
 * .editorconfig, .prettierignore), Biome (`biome format --write`) or dprint
 * (`dprint fmt`), from its node_modules. The mesh's Prettier only when
 * autocode.yaml asks (`tools: { prettier: default }`).
 */
export const formatGenerator: FileGeneratorFactory = (root): FileGenerator => {
  let formatter: Formatter;
  let formatted = 0;
  return {
    select: (candidates) => candidates,
    async prepare() {
      const found = repositoryFormatter(root, repositoryToolContext(root));
      if ('unavailable' in found) throw new PermanentGeneratorError(`format runs only the repository's own formatter: ${found.unavailable}`);
      formatter = found;
    },
    async processFile(file): Promise<FileOutcome> {
      const outcome = await formatter.formatFile(file);
      if (outcome.status === 'changed') formatted += 1;
      return { ...outcome, touched: outcome.status === 'changed' ? [file] : [] };
    },
    async finish() {
      return { notes: [`formatted with ${formatter.name}`], stats: { formatted } };
    },
  };
};
