import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import { DEFAULT_ESLINT_IGNORES, DEFAULT_ESLINT_RULES, defaultEslintConfig, ESLINT_FLAT_CONFIG_FILES, ESLINT_LEGACY_CONFIG_FILES } from '@autocode/workspace-runtime';
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

const BUILTIN_CONFIG = '.autocode-eslint.config.cjs';

/**
 * ESLint over the changed files, before and after the change: the change
 * may not add findings. A repository's own lint script is its judge (the
 * repository-checks stage runs it with its own ESLint version and
 * plugins), so this stage steps aside for it. Otherwise the repository's
 * flat config is used with the validator's ESLint; a repository without
 * an ESLint config gets no rules imposed unless autocode.yaml asks
 * (`validation.static_analysis.eslint: builtin`: @eslint/js and
 * typescript-eslint recommended).
 */
@Injectable()
export class StaticAnalysisStage implements ValidationStage {
  readonly name = 'static-analysis' as const;

  constructor(private readonly tools: SandboxedTools) {}

  async run(context: StageContext): Promise<StageOutcome> {
    const files = context.changes.filter((c) => c.status !== 'deleted' && CODE_FILE.test(c.path)).map((c) => c.path);
    if (files.length === 0) return notApplicable('no JavaScript or TypeScript file changed');
    const builtinAsked = context.section.static_analysis?.eslint === 'builtin';
    if (!builtinAsked && context.repositoryChecks.discovered.has('lint')) return notApplicable('the repository’s own lint script is its linter (repository-checks)');

    let mode: 'repository' | 'builtin' = 'builtin';
    if (!builtinAsked) {
      if (!ESLINT_FLAT_CONFIG_FILES.some((c) => existsSync(join(context.base.root, c)))) {
        const legacy = ESLINT_LEGACY_CONFIG_FILES.find((c) => existsSync(join(context.base.root, c)));
        if (legacy) return notApplicable(`the repository's ESLint config is the legacy ${legacy}, which the validator's ESLint does not read; it has no lint script for the validator to run`);
        return notApplicable('the repository does not use ESLint (no config, no lint script); `validation.static_analysis.eslint: builtin` in autocode.yaml asks for the built-in rules');
      }
      mode = 'repository';
    }
    const configNote = mode === 'repository' ? 'the repository’s ESLint config' : 'the built-in ESLint config (autocode.yaml asks for it)';
    const after = await this.lint(context, context.patched, files, mode);
    if (after === 'config-failed') return notApplicable('the repository’s ESLint config does not load with the validator’s ESLint; no other rules are imposed');
    if (after === 'no-config') return notApplicable('the repository has no ESLint config');
    if (typeof after === 'string') return couldNotRun(`ESLint could not run: ${after}`);
    if (after.length === 0) return passed(`ESLint (${configNote}): no findings in ${files.length} changed file(s)`);

    const existing = files.filter((f) => existsSync(join(context.base.root, f)));
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
      const found = ESLINT_FLAT_CONFIG_FILES.find((c) => existsSync(join(workspace.root, c)));
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

/**
 * The one default ESLint config (@autocode/workspace-runtime), written as a
 * file; packages come from the validator's toolchain by absolute path (the
 * checkout has none).
 */
function builtinConfig(resolve: (pkg: string) => string): string {
  const req = (pkg: string) => `require(${JSON.stringify(resolve(pkg))})`;
  return `// Written by the Autocode validator for this check only.
module.exports = (${defaultEslintConfig.toString()})(${req('@eslint/js')}, ${req('typescript-eslint')}, ${JSON.stringify(DEFAULT_ESLINT_RULES)}, ${JSON.stringify(DEFAULT_ESLINT_IGNORES)});
`;
}
