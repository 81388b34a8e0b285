import { randomBytes } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Sandbox, SandboxUnavailableError } from '@autocode/sandbox';
import { type LintFormatRequest, type LintFormatResult, lintFormatRunner } from './lint-format.runner';

export interface LintFormatOptions {
  /** Time limit of one sandboxed run. */
  timeoutMs: number;
  /** Memory limit of one sandboxed run (the V8 heap gets most of it). */
  memoryMb: number;
  /** Sandboxed runs side by side, each with a share of the files. */
  processes: number;
}

export class LintFormatRunError extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'crashed' | 'no-result' | 'aborted' | 'refused',
  ) {
    super(message);
    this.name = 'LintFormatRunError';
  }
}

// Resolved from this module's own location (the mesh's node_modules), never
// from the target repository: we run our ESLint and Prettier on its files.
const ownRequire = createRequire(__filename);
const MODULES = {
  eslint: ownRequire.resolve('eslint'),
  eslintJs: ownRequire.resolve('@eslint/js'),
  typescriptEslint: ownRequire.resolve('typescript-eslint'),
  prettier: ownRequire.resolve('prettier'),
};
/** The mesh's node_modules, lent to a checkout that has none so its ESLint/Prettier config can import its plugins. */
export const MESH_NODE_MODULES = MODULES.eslint.slice(0, MODULES.eslint.lastIndexOf('/node_modules/') + '/node_modules'.length);

const RUNNER_SCRIPT = `(${lintFormatRunner.toString()})(require)`;
/** Results of thousands of files, as JSON. */
const MAX_RESULT_BYTES = 64 * 1024 * 1024;

/**
 * Runs ESLint and Prettier over files of a checkout in the sandbox: the
 * target's ESLint and Prettier configuration is code from the repository,
 * so it runs with no network, a scrubbed environment, only the checkout
 * (writable, it is thrown away) and the node_modules it lints with
 * (read-only) in view, and time, memory, process and file-size limits.
 * The only client of these tools in the planner.
 */
export class LintFormatClient {
  constructor(
    /** The sandbox, or its detection still under way (Sandbox.create is asynchronous). */
    private readonly sandbox: Sandbox | Promise<Sandbox>,
    private readonly options: LintFormatOptions,
  ) {}

  async run(cwd: string, request: Omit<LintFormatRequest, 'modules' | 'marker'>, signal?: AbortSignal): Promise<LintFormatResult> {
    const processes = Math.max(1, Math.min(this.options.processes, Math.ceil(request.files.length / 50)));
    const shares: string[][] = Array.from({ length: processes }, () => []);
    request.files.forEach((file, i) => shares[i % processes].push(file));
    const readOnlyPaths = await this.modulePaths(cwd);
    const parts = await Promise.all(shares.map((files) => this.runOne(cwd, readOnlyPaths, { ...request, files }, signal)));
    const merged: LintFormatResult = { eslint: { ...parts[0].eslint, results: {} }, prettier: { ...parts[0].prettier, results: {} } };
    for (const part of parts) {
      Object.assign(merged.eslint.results, part.eslint.results);
      Object.assign(merged.prettier.results, part.prettier.results);
      merged.eslint.error ??= part.eslint.error;
      merged.eslint.note ??= part.eslint.note;
      merged.prettier.error ??= part.prettier.error;
      if (part.eslint.config === 'default') merged.eslint.config = 'default';
    }
    return merged;
  }

  /** What the run may read besides the checkout: our node_modules, and the one the checkout's node_modules link leads to. */
  private async modulePaths(cwd: string): Promise<string[]> {
    const linked = await realpath(join(cwd, 'node_modules')).catch(() => undefined);
    return [...new Set([MESH_NODE_MODULES, ...(linked ? [linked] : [])])];
  }

  private async runOne(cwd: string, readOnlyPaths: string[], request: Omit<LintFormatRequest, 'modules' | 'marker'>, signal?: AbortSignal): Promise<LintFormatResult> {
    if (signal?.aborted) throw new LintFormatRunError('lint/format run stopped before it started', 'aborted');
    const marker = `@@autocode-result-${randomBytes(12).toString('hex')}@@`;
    let result;
    try {
      result = await (await this.sandbox).run({
        command: 'node',
        args: ['-e', RUNNER_SCRIPT],
        cwd,
        readOnlyPaths,
        network: false,
        env: { NODE_ENV: 'production' },
        timeoutMs: this.options.timeoutMs,
        memoryMb: this.options.memoryMb,
        maxOutputBytes: MAX_RESULT_BYTES,
        stdin: JSON.stringify({ ...request, modules: MODULES, marker } satisfies LintFormatRequest),
        signal,
      });
    } catch (error) {
      if (error instanceof SandboxUnavailableError) throw new LintFormatRunError(error.message, 'refused');
      throw error;
    }
    if (result.reason === 'aborted') throw new LintFormatRunError('lint/format run stopped: the planning task was stopped', 'aborted');
    if (result.reason === 'time-limit') throw new LintFormatRunError(`lint/format run exceeded its time limit of ${this.options.timeoutMs} ms`, 'timeout');
    const stdout = result.stdout;
    const start = stdout.indexOf(`${marker}\n`);
    const end = stdout.lastIndexOf(`\n${marker}`);
    if (result.reason !== 'exited' || result.exitCode !== 0 || start === -1 || end <= start) {
      const tail = result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
      throw new LintFormatRunError(`lint/format run failed (${result.summary}): ${tail}`, result.exitCode === 0 ? 'no-result' : 'crashed');
    }
    return JSON.parse(stdout.slice(start + marker.length + 1, end)) as LintFormatResult;
  }
}
