import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import { SandboxedTools } from '../toolchain/sandboxed-tools';
import { CODE_FILE } from '../workspace/unified-diff';
import { couldNotRun, failed, newFindings, notApplicable, passed, tail, type StageContext, type StageOutcome, type ValidationStage } from './stage';

interface LintFinding {
  file: string;
  line: number;
  rule: string;
  message: string;
}

interface EslintFileResult {
  filePath: string;
  messages: Array<{ ruleId: string | null; message: string; line?: number; severity: number }>;
}

const REPO_CONFIGS = ['eslint.config.js', 'eslint.config.mjs', 'eslint.config.cjs'];
const BUILTIN_CONFIG = '.autocode-eslint.config.cjs';

/**
 * ESLint over the changed files, before and after the change: the change
 * may not add findings. The repository's own flat config is used when it
 * loads in a bare checkout; otherwise (plugins not installed, or no config)
 * a built-in one — @eslint/js and typescript-eslint recommended.
 */
@Injectable()
export class StaticAnalysisStage implements ValidationStage {
  readonly name = 'static-analysis' as const;

  constructor(private readonly tools: SandboxedTools) {}

  async run(context: StageContext): Promise<StageOutcome> {
    const files = context.changes.filter((c) => c.status !== 'deleted' && CODE_FILE.test(c.path)).map((c) => c.path);
    if (files.length === 0) return notApplicable('no JavaScript or TypeScript file changed');

    let configNote = 'the repository’s ESLint config';
    let after = await this.lint(context, context.patched, files, 'repository');
    if (after === 'config-failed') {
      configNote = 'the built-in ESLint config (the repository’s does not load without its dependencies)';
      after = await this.lint(context, context.patched, files, 'builtin');
    } else if (after === 'no-config') {
      configNote = 'the built-in ESLint config';
      after = await this.lint(context, context.patched, files, 'builtin');
    }
    if (typeof after === 'string') return couldNotRun(`ESLint could not run: ${after}`);
    if (after.length === 0) return passed(`ESLint (${configNote}): no findings in ${files.length} changed file(s)`);

    const existing = files.filter((f) => existsSync(join(context.base.root, f)));
    const mode = configNote.startsWith('the repository') ? 'repository' : 'builtin';
    const before = existing.length ? await this.lint(context, context.base, existing, mode) : [];
    const baseline = Array.isArray(before) ? before : [];
    const added = newFindings(baseline, after, (f) => `${f.file}|${f.rule}|${f.message}`);
    if (added.length === 0) return passed(`ESLint (${configNote}): ${after.length} finding(s), all present before the change`);
    return failed(
      `ESLint (${configNote}): the change adds ${added.length} finding(s)`,
      added.slice(0, 100).map((f) => `${f.file}:${f.line} ${f.rule}: ${f.message}`),
    );
  }

  private async lint(
    context: StageContext,
    workspace: EphemeralWorkspace,
    files: string[],
    mode: 'repository' | 'builtin',
  ): Promise<LintFinding[] | 'config-failed' | 'no-config' | string> {
    let config: string;
    if (mode === 'repository') {
      const found = REPO_CONFIGS.find((c) => existsSync(join(workspace.root, c)));
      if (!found) return 'no-config';
      config = found;
    } else {
      config = BUILTIN_CONFIG;
      await writeFile(join(workspace.root, config), builtinConfig(this.tools.toolchain.resolve.bind(this.tools.toolchain)));
    }
    const result = await this.tools.node(
      workspace,
      [this.tools.toolchain.eslint, '--config', config, '--format', 'json', '--no-warn-ignored', '--', ...files],
      context.timeoutMs,
      context.signal,
    );
    if (result.reason !== 'exited') return result.summary;
    // 0: clean, 1: findings, 2: ESLint itself failed (config, crash).
    if (result.exitCode === 2) return mode === 'repository' ? 'config-failed' : (result.stderr || result.stdout).trim().split('\n').slice(0, 6).join(' | ');
    try {
      const parsed = JSON.parse(result.stdout) as EslintFileResult[];
      return parsed.flatMap((file) =>
        file.messages.map((m) => ({
          file: relative(workspace.root, file.filePath),
          line: m.line ?? 0,
          rule: m.ruleId ?? 'parse-error',
          message: m.message,
        })),
      );
    } catch {
      return `unreadable ESLint output: ${tail(result.stdout + result.stderr, 5)}`;
    }
  }
}

function relative(root: string, file: string): string {
  return file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
}

/** The built-in flat config; packages come from the validator's toolchain by absolute path (the checkout has none). */
function builtinConfig(resolve: (pkg: string) => string): string {
  const req = (pkg: string) => `require(${JSON.stringify(resolve(pkg))})`;
  return `// Written by the Autocode validator for this check only.
const js = ${req('@eslint/js')};
const tseslint = ${req('typescript-eslint')};
const globals = (() => { try { return ${req('globals')}; } catch { return { node: {} }; } })();
module.exports = [
  { ignores: ['node_modules/**', 'dist/**', 'build/**', 'coverage/**'] },
  { files: ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}'], languageOptions: { globals: { ...globals.node } } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
];
`;
}
