import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import type { FileGenerator, FileGeneratorFactory, FileOutcome } from './file-generator';
import { PermanentGeneratorError } from './file-generator';
import { isSourceFile } from './typescript-project';

const FLAT_CONFIG_FILES = ['eslint.config.js', 'eslint.config.mjs', 'eslint.config.cjs', 'eslint.config.ts', 'eslint.config.mts', 'eslint.config.cts'];

/**
 * Fixable, uncontroversial rules for repositories without an ESLint
 * configuration of their own: modern declarations, simpler expressions.
 * Nothing stylistic that Prettier owns.
 */
export const DEFAULT_LINT_RULES: Linter.RulesRecord = {
  'prefer-const': 'error',
  'no-var': 'error',
  eqeqeq: ['error', 'smart'],
  curly: ['error', 'multi-line'],
  'dot-notation': 'error',
  'no-extra-boolean-cast': 'error',
  'no-unneeded-ternary': 'error',
  'no-useless-rename': 'error',
  'no-useless-return': 'error',
  'no-useless-computed-key': 'error',
  'no-lonely-if': 'error',
  'no-extra-bind': 'error',
  'object-shorthand': ['error', 'properties'],
  'operator-assignment': 'error',
  'prefer-exponentiation-operator': 'error',
  'prefer-object-spread': 'error',
  yoda: 'error',
};

/**
 * For a repository without an ESLint config: the recommended rules of
 * ESLint and typescript-eslint — what the planner reports findings with —
 * plus DEFAULT_LINT_RULES. `--fix` fixes whatever of them is fixable.
 */
export function defaultLintConfig(): Linter.Config[] {
  // typescript-eslint's and @eslint/js's typings resolve only under node16 module resolution; the modules are plain CommonJS.
  const tseslint = require('typescript-eslint') as { configs: { recommended: Linter.Config[] } };
  const js = require('@eslint/js') as { configs: { recommended: Linter.Config } };
  const tsFiles = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
  return [
    { ignores: ['**/node_modules/**', '**/dist/**', '**/build/**', '**/coverage/**', '**/*.min.js'] },
    { files: ['**/*.{js,mjs,cjs,jsx}', ...tsFiles], ...js.configs.recommended },
    ...tseslint.configs.recommended.map((config) => ({ ...config, files: config.files ?? tsFiles })),
    { files: ['**/*.{js,mjs,jsx}'], languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
    { files: ['**/*.cjs'], languageOptions: { ecmaVersion: 'latest', sourceType: 'commonjs' } },
    // Globals depend on the runtime (node, browser, jest …); the compiler catches undefined names.
    { rules: { 'no-undef': 'off' } },
    { files: ['**/*.{js,mjs,cjs,jsx}', ...tsFiles], rules: DEFAULT_LINT_RULES },
  ];
}

/**
 * ESLint `--fix` with the repository's flat config when it has one (it is
 * code, which is why this runs in the sandbox), else DEFAULT_LINT_RULES.
 */
export const lintAutofixGenerator: FileGeneratorFactory = (root): FileGenerator => {
  let eslint: ESLint;
  let usesRepoConfig = false;
  let fixed = 0;
  let remaining = 0;
  const notes: string[] = [];
  return {
    select: (candidates) => candidates.filter(isSourceFile),
    async prepare() {
      usesRepoConfig = FLAT_CONFIG_FILES.some((name) => existsSync(join(root, name)));
      if (!usesRepoConfig && ['.eslintrc', '.eslintrc.js', '.eslintrc.json', '.eslintrc.cjs', '.eslintrc.yml', '.eslintrc.yaml'].some((n) => existsSync(join(root, n)))) {
        notes.push('the repository has only a legacy .eslintrc, which ESLint 9 does not read: the default rules were used');
      }
      eslint = new ESLint({
        cwd: root,
        fix: true,
        errorOnUnmatchedPattern: false,
        ...(usesRepoConfig ? {} : { overrideConfigFile: true, overrideConfig: defaultLintConfig() }),
      });
      if (usesRepoConfig) {
        // Loading the config runs it: a broken (or hostile) config fails here, once, with its own message.
        try {
          await eslint.calculateConfigForFile(join(root, 'package.json'));
        } catch (error) {
          throw new PermanentGeneratorError(`the repository's ESLint configuration cannot be loaded: ${(error as Error).message}`);
        }
      }
    },
    async processFile(file): Promise<FileOutcome> {
      const path = join(root, file);
      if (await eslint.isPathIgnored(path)) return { status: 'skipped', touched: [], detail: 'ignored by the ESLint configuration' };
      let results: ESLint.LintResult[];
      try {
        results = await eslint.lintFiles([path]);
      } catch (error) {
        throw new PermanentGeneratorError(`ESLint failed on ${file}: ${(error as Error).message}`);
      }
      const [result] = results;
      if (!result) return { status: 'skipped', touched: [], detail: 'no ESLint configuration applies to it' };
      const fatal = result.messages.find((m) => m.fatal);
      if (fatal) return { status: 'skipped', touched: [], detail: `ESLint cannot parse it: ${fatal.message}` };
      remaining += result.messages.length;
      if (result.output === undefined) return { status: 'unchanged', touched: [], detail: `${result.messages.length} problem(s), none fixable` };
      await ESLint.outputFixes(results);
      const before = result.messages.length;
      fixed += 1;
      return { status: 'changed', touched: [file], detail: `fixed; ${before} problem(s) left that --fix cannot fix` };
    },
    async finish() {
      notes.push(usesRepoConfig ? "linted with the repository's ESLint configuration" : 'linted with the default rules (the repository has no ESLint configuration)');
      return { notes, stats: { filesFixed: fixed, problemsLeft: remaining } };
    },
  };
};
