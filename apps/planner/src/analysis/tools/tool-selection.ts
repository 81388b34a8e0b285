import { eslintUnavailableReason, formatterUnavailableReason, type RepositoryTools, type ToolsConfig } from '@autocode/workspace-runtime';
import type { EslintRunMode, FormatterRunMode } from './lint-format.runner';

/** What the planner runs for lint and format analysis, and why not when it runs nothing. */
export interface ToolSelection {
  eslint: EslintRunMode;
  eslintMajor?: number;
  /** Why ESLint does not run although lint findings were asked for. */
  eslintSkipped?: string;
  /** The repository does not use ESLint at all: no findings is the answer (cacheable), not a gap. */
  eslintNotUsed: boolean;
  formatter: FormatterRunMode;
  formatSkipped?: string;
  formatterNotUsed: boolean;
  /** Whether a repository tool needs the checkout's dependencies (WorkspaceRuntime.prepare). */
  needsDependencies: boolean;
}

/**
 * The repository's own ESLint and formatter, never the mesh's unless
 * autocode.yaml asks (`tools: { eslint: default }`); a tool the repository
 * configures but cannot run (not installed, dependencies not preparable)
 * runs not at all, with the reason. `preparedFailure`: why the checkout's
 * dependencies could not be prepared, when they could not.
 */
export function selectTools(tools: RepositoryTools, config: ToolsConfig, want: { lint: boolean; format: boolean }, preparedFailure?: string): ToolSelection {
  const selection: ToolSelection = { eslint: 'off', formatter: 'off', eslintNotUsed: false, formatterNotUsed: false, needsDependencies: false };
  if (want.lint) {
    if (config.eslint === 'off') {
      selection.eslintSkipped = 'autocode.yaml turns ESLint off (tools.eslint: off)';
      selection.eslintNotUsed = true;
    } else if (!tools.eslint && config.eslint === 'default') {
      selection.eslint = 'default';
    } else if (!tools.eslint) {
      selection.eslintSkipped = 'the repository does not use ESLint (no eslint.config.*, .eslintrc* or package.json eslintConfig; autocode.yaml tools.eslint: default would use a default)';
      selection.eslintNotUsed = true;
    } else {
      selection.needsDependencies = true;
      const unavailable = preparedFailure ? `the repository's dependencies cannot be prepared (${preparedFailure}), so its ESLint cannot run` : eslintUnavailableReason(tools);
      if (unavailable) selection.eslintSkipped = unavailable;
      else {
        selection.eslint = tools.eslint.config;
        selection.eslintMajor = tools.eslint.major;
      }
    }
  }
  if (want.format) {
    if (config.prettier === 'off') {
      selection.formatSkipped = 'autocode.yaml turns the format check off (tools.prettier: off)';
      selection.formatterNotUsed = true;
    } else if (!tools.formatter && config.prettier === 'default') {
      selection.formatter = 'default-prettier';
    } else if (!tools.formatter) {
      selection.formatSkipped = 'the repository uses no formatter (Prettier, Biome, dprint; autocode.yaml tools.prettier: default would use a default Prettier)';
      selection.formatterNotUsed = true;
    } else {
      selection.needsDependencies = true;
      const unavailable = preparedFailure ? `the repository's dependencies cannot be prepared (${preparedFailure}), so its formatter cannot run` : formatterUnavailableReason(tools);
      if (unavailable) selection.formatSkipped = unavailable;
      else selection.formatter = tools.formatter;
    }
  }
  return selection;
}
