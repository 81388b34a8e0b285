/* eslint-disable @typescript-eslint/no-explicit-any -- the repository's ESLint and Prettier are loaded at run time, at whatever version it pins; their APIs are used through the few calls below. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { detectRepositoryTools, readToolsConfig, type RepositoryTools, type ToolsConfig, ToolsConfigError } from '@autocode/workspace-runtime';
import { PermanentGeneratorError } from './file-generator';

/**
 * The repository's own tools as the generators use them, from the
 * checkout's node_modules (prepared by the generation node's workspace
 * runtime before the runner starts): never the mesh's, except a default
 * the repository's autocode.yaml asks for.
 */
export interface RepositoryToolContext {
  tools: RepositoryTools;
  config: ToolsConfig;
}

export function repositoryToolContext(root: string): RepositoryToolContext {
  try {
    return { tools: detectRepositoryTools(root), config: readToolsConfig(root) };
  } catch (error) {
    if (error instanceof ToolsConfigError) throw new PermanentGeneratorError(error.message);
    throw error;
  }
}

/** A package of the repository (resolved from its checkout), or undefined when it is not installed. */
export function loadFromRepository(root: string, id: string): any {
  const requireFromRoot = createRequire(join(root, 'package.json'));
  let resolved: string;
  try {
    resolved = requireFromRoot.resolve(id);
  } catch {
    return undefined;
  }
  return requireFromRoot(resolved);
}

export interface Formatter {
  /** `prettier 2.8.8`, `biome 1.9.4` … for notes. */
  name: string;
  /** Formats the file in place: whether it changed, or why it was left alone. */
  formatFile(file: string): Promise<{ status: 'changed' | 'unchanged' | 'skipped'; detail?: string }>;
}

/** The repository's formatter, the mesh's Prettier when autocode.yaml asks for it, or why there is none. */
export function repositoryFormatter(root: string, context: RepositoryToolContext): Formatter | { unavailable: string } {
  const { tools, config } = context;
  if (config.prettier === 'off') return { unavailable: 'autocode.yaml turns formatting off (tools.prettier: off)' };
  if (!tools.formatter) {
    if (config.prettier === 'default') return prettierFormatter(root, require('prettier'), "the mesh's Prettier (autocode.yaml tools.prettier: default)");
    return { unavailable: 'the repository uses no formatter (Prettier, Biome, dprint)' };
  }
  const usage = tools[tools.formatter]!;
  if (!usage.version) return { unavailable: `the repository uses ${tools.formatter} (${usage.configFile}) but ${usage.packageName} is not installed in its node_modules` };
  if (tools.formatter === 'prettier') return prettierFormatter(root, loadFromRepository(root, 'prettier'), `prettier ${usage.version}`);
  return cliFormatter(root, tools.formatter, usage.version);
}

function prettierFormatter(root: string, prettier: any, name: string): Formatter | { unavailable: string } {
  if (!prettier) return { unavailable: 'prettier cannot be loaded from the repository' };
  return {
    name,
    async formatFile(file) {
      const path = join(root, file);
      const ignorePath = join(root, '.prettierignore');
      // Prettier 2 takes one ignore path, Prettier 3 one or several: a string suits both.
      const info = await prettier.getFileInfo(path, { ignorePath: existsSync(ignorePath) ? ignorePath : undefined });
      if (info.ignored) return { status: 'skipped', detail: 'ignored by .prettierignore' };
      if (!info.inferredParser) return { status: 'skipped', detail: 'no Prettier parser for this file' };
      let options: object | null;
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
        return { status: 'skipped', detail: `Prettier cannot parse it: ${(error as Error).message.split('\n')[0]}` };
      }
      if (output === source) return { status: 'unchanged' };
      writeFileSync(path, output);
      return { status: 'changed' };
    },
  };
}

/** Biome and dprint: their own CLI in write mode (native binaries behind a Node.js launcher), one file at a time. */
function cliFormatter(root: string, name: 'biome' | 'dprint', version: string): Formatter | { unavailable: string } {
  const bin = join(root, 'node_modules', '.bin', name);
  if (!existsSync(bin)) return { unavailable: `${name} is not installed in the repository's node_modules` };
  return {
    name: `${name} ${version}`,
    async formatFile(file) {
      const before = readFileSync(join(root, file), 'utf8');
      const args = name === 'biome' ? ['format', '--write', '--no-errors-on-unmatched', '--colors=off', file] : ['fmt', file];
      const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
      if (run.error) throw new PermanentGeneratorError(`${name} cannot run: ${run.error.message}`);
      if (run.status !== 0) return { status: 'skipped', detail: `${name} cannot format it: ${`${run.stderr}\n${run.stdout}`.trim().split('\n').slice(0, 3).join(' ').slice(0, 300)}` };
      return readFileSync(join(root, file), 'utf8') === before ? { status: 'unchanged' } : { status: 'changed' };
    },
  };
}
