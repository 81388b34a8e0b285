import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Sandbox, SandboxUnavailableError } from '@autocode/sandbox';
import { DEFAULT_ESLINT_IGNORES, DEFAULT_ESLINT_RULES, defaultEslintConfig, type PreparedWorkspace } from '@autocode/workspace-runtime';
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

// The mesh's own ESLint and Prettier: only for a repository whose
// autocode.yaml asks for the default tools (`tools: { eslint: default }`);
// otherwise the runner loads the repository's own from its node_modules.
const ownRequire = createRequire(__filename);
const MESH_MODULES = {
  eslint: ownRequire.resolve('eslint'),
  eslintJs: ownRequire.resolve('@eslint/js'),
  typescriptEslint: ownRequire.resolve('typescript-eslint'),
  prettier: ownRequire.resolve('prettier'),
};
/** The mesh's node_modules, mounted read-only for the default tools. */
export const MESH_NODE_MODULES = MESH_MODULES.eslint.slice(0, MESH_MODULES.eslint.lastIndexOf('/node_modules/') + '/node_modules'.length);

const RUNNER_SCRIPT = `(${lintFormatRunner.toString()})(require, ${defaultEslintConfig.toString()})`;
type ToolRequest = Omit<LintFormatRequest, 'meshModules' | 'marker' | 'defaultEslint'>;
/** Results of thousands of files, as JSON. */
const MAX_RESULT_BYTES = 64 * 1024 * 1024;

/**
 * Runs the repository's own ESLint and formatter (from its prepared
 * node_modules, under its Node.js) over files of a checkout in the
 * sandbox: they and their configuration are code from the repository, so
 * they run with no network, a scrubbed environment, only the checkout
 * (writable, it is thrown away) and the prepared tree (read-only) in view,
 * and time, memory, process and file-size limits. The only client of these
 * tools in the planner.
 */
export class LintFormatClient {
  constructor(
    /** The sandbox, or its detection still under way (Sandbox.create is asynchronous). */
    private readonly sandbox: Sandbox | Promise<Sandbox>,
    private readonly options: LintFormatOptions,
  ) {}

  /** `prepared`: the checkout after WorkspaceRuntime.prepare (its Node.js, env and read-only tree). */
  async run(prepared: Pick<PreparedWorkspace, 'checkoutDir' | 'nodeBinary' | 'env' | 'readOnlyPaths'>, request: ToolRequest, signal?: AbortSignal): Promise<LintFormatResult> {
    const processes = Math.max(1, Math.min(this.options.processes, Math.ceil(request.files.length / 50)));
    const shares: string[][] = Array.from({ length: processes }, () => []);
    request.files.forEach((file, i) => shares[i % processes].push(file));
    const usesMesh = request.eslint === 'default' || request.formatter === 'default-prettier';
    const readOnlyPaths = [...new Set([...prepared.readOnlyPaths, ...(usesMesh ? [MESH_NODE_MODULES] : [])])];
    const parts = await Promise.all(shares.map((files) => this.runOne(prepared, readOnlyPaths, { ...request, files }, signal)));
    const merged: LintFormatResult = { eslint: { ...parts[0].eslint, results: {} }, format: { ...parts[0].format, results: {} } };
    for (const part of parts) {
      Object.assign(merged.eslint.results, part.eslint.results);
      Object.assign(merged.format.results, part.format.results);
      merged.eslint.error ??= part.eslint.error;
      merged.format.error ??= part.format.error;
    }
    return merged;
  }

  private async runOne(prepared: Pick<PreparedWorkspace, 'checkoutDir' | 'nodeBinary' | 'env'>, readOnlyPaths: string[], request: ToolRequest, signal?: AbortSignal): Promise<LintFormatResult> {
    const cwd = prepared.checkoutDir;
    if (signal?.aborted) throw new LintFormatRunError('lint/format run stopped before it started', 'aborted');
    const marker = `@@autocode-result-${randomBytes(12).toString('hex')}@@`;
    let result;
    try {
      result = await (await this.sandbox).run({
        command: prepared.nodeBinary,
        args: ['-e', RUNNER_SCRIPT],
        cwd,
        readOnlyPaths,
        network: false,
        env: { ...prepared.env, NODE_ENV: 'production' },
        timeoutMs: this.options.timeoutMs,
        memoryMb: this.options.memoryMb,
        maxOutputBytes: MAX_RESULT_BYTES,
        stdin: JSON.stringify({ ...request, meshModules: MESH_MODULES, defaultEslint: { rules: DEFAULT_ESLINT_RULES, ignores: DEFAULT_ESLINT_IGNORES }, marker } satisfies LintFormatRequest),
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
