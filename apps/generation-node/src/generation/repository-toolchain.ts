import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import { NonRetryableTaskError } from '@autocode/worker';
import { detectRepositoryTools, type PreparedWorkspace, WorkspaceRuntime } from '@autocode/workspace-runtime';

/** Built-in generators that run the repository's own linter or formatter. */
const USES_REPOSITORY_TOOLS = new Set(['lint-autofix', 'format', 'organize-imports']);

/** What the generator runner needs to run the repository's tools: its Node.js first on PATH, its tree mounted read-only. */
export type RepositoryToolsRun = Pick<PreparedWorkspace, 'env' | 'readOnlyPaths'>;

/**
 * Installs a workspace's own dependencies (the workspace runtime: its
 * manager, its lockfile, in the sandbox, cached by lockfile) before a
 * generator that runs the repository's ESLint or formatter, and takes the
 * linked node_modules out again before the diff.
 */
@Injectable()
export class RepositoryToolchain {
  private readonly logger = new Logger(RepositoryToolchain.name);

  constructor(private readonly runtime: WorkspaceRuntime) {}

  /** The prepared tree for `generator`, or undefined when it needs none (the repository uses no such tool). */
  async prepare(generator: string, workspace: EphemeralWorkspace, signal: AbortSignal): Promise<PreparedWorkspace | undefined> {
    if (!USES_REPOSITORY_TOOLS.has(generator)) return undefined;
    const tools = detectRepositoryTools(workspace.root);
    const needed = generator === 'lint-autofix' ? Boolean(tools.eslint) : generator === 'format' ? Boolean(tools.formatter) : Boolean(tools.formatter || tools.eslint);
    if (!needed) return undefined;
    const prepared = await this.runtime.prepare(workspace.root, { signal });
    if (!prepared.ok) {
      // Never the mesh's tools instead: without the repository's own, the change cannot be made in its style.
      throw new NonRetryableTaskError(`${generator} needs the repository's own tools, but its dependencies cannot be prepared (${prepared.failure.kind}): ${prepared.failure.message}`);
    }
    this.logger.log({ msg: 'prepared the repository tools', generator, installed: prepared.installed, manager: prepared.manager, nodeMajor: prepared.nodeMajor });
    return prepared;
  }

  /** Removes what prepare linked into the workspace (node_modules and the like), so the diff has only the generator's changes. */
  async release(workspace: EphemeralWorkspace, prepared: PreparedWorkspace | undefined): Promise<void> {
    for (const path of prepared?.createdPaths ?? []) await rm(join(workspace.root, path), { recursive: true, force: true });
  }
}
