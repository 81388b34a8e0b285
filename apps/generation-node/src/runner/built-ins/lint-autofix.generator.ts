/* eslint-disable @typescript-eslint/no-explicit-any -- the repository's ESLint is loaded at run time, at whatever version it pins (8 or 9, flat or legacy). */
import { join } from 'node:path';
import { DEFAULT_ESLINT_IGNORES, DEFAULT_ESLINT_RULES, defaultEslintConfig, eslintUnavailableReason } from '@autocode/workspace-runtime';
import type { FileGenerator, FileGeneratorFactory, FileOutcome } from './file-generator';
import { PermanentGeneratorError } from './file-generator';
import { loadFromRepository, repositoryToolContext } from './repository-tools';
import { isSourceFile } from './typescript-project';

/**
 * ESLint `--fix` with the repository's own ESLint (its version, from its
 * node_modules) and its configuration, flat or legacy (.eslintrc through
 * that version's legacy API). Its configuration is code, which is why this
 * runs in the sandbox. The mesh's ESLint with the one default config only
 * when autocode.yaml asks (`tools: { eslint: default }`). Only the rules
 * the opportunity planned are fixed (job.lintRules), when it names them.
 */
export const lintAutofixGenerator: FileGeneratorFactory = (root, job): FileGenerator => {
  // Only the findings the plan named: ESLint takes a predicate for which of its fixes to apply.
  const planned = new Set(job.lintRules);
  const fix = planned.size ? (message: { ruleId: string | null }) => message.ruleId !== null && planned.has(message.ruleId) : true;
  let eslint: any;
  let eslintClass: any;
  let described = '';
  let fixed = 0;
  let remaining = 0;
  return {
    select: (candidates) => candidates.filter(isSourceFile),
    async prepare() {
      const { tools, config } = repositoryToolContext(root);
      if (config.eslint === 'off') throw new PermanentGeneratorError('autocode.yaml turns ESLint off (tools.eslint: off)');
      if (!tools.eslint && config.eslint === 'default') {
        // typescript-eslint's and @eslint/js's typings resolve only under node16 module resolution; the modules are plain CommonJS.
        eslintClass = (require('eslint') as { ESLint: any }).ESLint;
        eslint = new eslintClass({
          cwd: root,
          fix,
          errorOnUnmatchedPattern: false,
          overrideConfigFile: true,
          overrideConfig: defaultEslintConfig(require('@eslint/js'), require('typescript-eslint'), DEFAULT_ESLINT_RULES, DEFAULT_ESLINT_IGNORES),
        });
        described = "the mesh's ESLint with the default configuration (autocode.yaml tools.eslint: default)";
        return;
      }
      const unavailable = eslintUnavailableReason(tools);
      if (unavailable) throw new PermanentGeneratorError(`lint-autofix runs only the repository's own ESLint: ${unavailable}`);
      const usage = tools.eslint!;
      const eslintModule = loadFromRepository(root, 'eslint');
      if (!eslintModule) throw new PermanentGeneratorError(`eslint ${usage.version} cannot be loaded from the repository's node_modules`);
      const major = usage.major ?? 9;
      if (usage.config === 'legacy') eslintClass = major >= 9 ? await eslintModule.loadESLint({ useFlatConfig: false }) : eslintModule.ESLint;
      else eslintClass = major >= 9 ? eslintModule.ESLint : await eslintModule.loadESLint?.({ useFlatConfig: true }) ?? loadFromRepository(root, 'eslint/use-at-your-own-risk').FlatESLint;
      eslint = new eslintClass({ cwd: root, fix, errorOnUnmatchedPattern: false });
      described = `the repository's ESLint ${usage.version} with ${usage.configFile}`;
      // Loading the config runs it: a broken (or hostile) config fails here, once, with its own message.
      try {
        await eslint.calculateConfigForFile(join(root, 'package.json'));
      } catch (error) {
        throw new PermanentGeneratorError(`the repository's ESLint configuration cannot be loaded: ${(error as Error).message}`);
      }
    },
    async processFile(file): Promise<FileOutcome> {
      const path = join(root, file);
      if (await eslint.isPathIgnored(path)) return { status: 'skipped', touched: [], detail: 'ignored by the ESLint configuration' };
      let results: any[];
      try {
        results = await eslint.lintFiles([path]);
      } catch (error) {
        throw new PermanentGeneratorError(`ESLint failed on ${file}: ${(error as Error).message}`);
      }
      const [result] = results;
      if (!result) return { status: 'skipped', touched: [], detail: 'no ESLint configuration applies to it' };
      const fatal = result.messages.find((m: any) => m.fatal);
      if (fatal) return { status: 'skipped', touched: [], detail: `ESLint cannot parse it: ${fatal.message}` };
      remaining += result.messages.length;
      if (result.output === undefined) return { status: 'unchanged', touched: [], detail: `${result.messages.length} problem(s), none fixable` };
      await eslintClass.outputFixes(results);
      fixed += 1;
      return { status: 'changed', touched: [file], detail: `fixed; ${result.messages.length} problem(s) left that --fix cannot fix` };
    },
    async finish() {
      return { notes: [`linted with ${described}`], stats: { filesFixed: fixed, problemsLeft: remaining } };
    },
  };
};
