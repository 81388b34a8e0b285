import { lstatSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { detectRepositoryTools, readToolsConfig, ToolsConfigError, WorkspaceRuntime, type PreparedWorkspace } from '@autocode/workspace-runtime';
import { LintFormatClient, LintFormatRunError } from './lint-format.client';
import type { LintFormatResult } from './lint-format.runner';
import { selectTools, type ToolSelection } from './tool-selection';

export interface RepositoryToolsOutcome {
  selection: ToolSelection;
  result: LintFormatResult;
  /** What ran, for the analysis report (`ESLint 8.57.1 with .eslintrc.json` …). */
  eslintDetail: string;
  formatDetail: string;
}

/**
 * Lint and format analysis with the repository's own tools: reads which
 * ones it uses (and autocode.yaml `tools`), prepares the checkout's
 * dependencies with the workspace runtime when one of them is needed, and
 * runs them in the sandbox. Never the mesh's tools as a fallback: a tool
 * that cannot run reports why and finds nothing.
 */
@Injectable()
export class RepositoryToolsAnalysis {
  private readonly logger = new Logger(RepositoryToolsAnalysis.name);

  constructor(
    private readonly client: LintFormatClient,
    /** Or its sandbox's detection still under way (tests wire it by hand). */
    @Inject(WorkspaceRuntime) private readonly runtime: WorkspaceRuntime | Promise<WorkspaceRuntime>,
  ) {}

  async run(dir: string, files: string[], want: { lint: boolean; format: boolean }, signal: AbortSignal): Promise<RepositoryToolsOutcome> {
    let config;
    try {
      config = readToolsConfig(dir);
    } catch (error) {
      if (!(error instanceof ToolsConfigError)) throw error;
      const selection = selectTools({}, { eslint: 'off', prettier: 'off' }, want);
      return failed(selection, error.message);
    }
    let tools = detectRepositoryTools(dir);
    let selection = selectTools(tools, config, want);
    let prepared: PreparedWorkspace | undefined;
    if (selection.needsDependencies) {
      // The checkout came with a node_modules link lent by the reader: the repository's own tree replaces it.
      if (lstatSync(join(dir, 'node_modules'), { throwIfNoEntry: false })?.isSymbolicLink()) await unlink(join(dir, 'node_modules'));
      const outcome = await (await this.runtime).prepare(dir, { signal });
      if (outcome.ok) {
        prepared = outcome;
        tools = detectRepositoryTools(dir);
        selection = selectTools(tools, config, want);
      } else {
        this.logger.warn({ msg: "the repository's dependencies cannot be prepared: its lint and format tools do not run", kind: outcome.failure.kind, reason: outcome.failure.message });
        selection = selectTools(tools, config, want, `${outcome.failure.kind}: ${outcome.failure.message.slice(0, 300)}`);
      }
    }
    const eslintDetail =
      selection.eslint === 'default'
        ? "the mesh's ESLint with the default configuration (autocode.yaml tools.eslint: default)"
        : tools.eslint && selection.eslint !== 'off'
          ? `the repository's ESLint ${tools.eslint.version} with ${tools.eslint.configFile}`
          : (selection.eslintSkipped ?? '');
    const formatter = selection.formatter;
    const formatDetail =
      formatter === 'default-prettier'
        ? "the mesh's Prettier (autocode.yaml tools.prettier: default)"
        : formatter !== 'off'
          ? `the repository's ${formatter} ${tools[formatter]?.version} check (${tools[formatter]?.configFile})`
          : (selection.formatSkipped ?? '');
    const empty: LintFormatResult = { eslint: { mode: selection.eslint, results: {} }, format: { mode: selection.formatter, results: {} } };
    if (selection.eslint === 'off' && selection.formatter === 'off') return { selection, result: empty, eslintDetail, formatDetail };
    // The default tools need no dependencies of the repository: they run under our Node.js.
    const runEnv = prepared ?? { checkoutDir: dir, nodeBinary: process.execPath, env: {}, readOnlyPaths: [] };
    try {
      const result = await this.client.run(runEnv, { files, eslint: selection.eslint, eslintMajor: selection.eslintMajor, formatter: selection.formatter }, signal);
      return { selection, result, eslintDetail, formatDetail };
    } catch (error) {
      if (signal.aborted || !(error instanceof LintFormatRunError)) throw error;
      this.logger.warn({ msg: "the repository's lint/format tools failed", reason: error.message });
      return { ...failed(selection, error.message), eslintDetail, formatDetail };
    }
  }
}

function failed(selection: ToolSelection, message: string): RepositoryToolsOutcome {
  return {
    selection,
    result: {
      eslint: { mode: selection.eslint, results: {}, ...(selection.eslint !== 'off' || selection.eslintSkipped ? { error: message } : {}) },
      format: { mode: selection.formatter, results: {}, ...(selection.formatter !== 'off' || selection.formatSkipped ? { error: message } : {}) },
    },
    eslintDetail: message,
    formatDetail: message,
  };
}
