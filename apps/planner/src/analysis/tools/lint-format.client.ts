import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LintFormatRequest, type LintFormatResult, lintFormatRunner } from './lint-format.runner';

export interface LintFormatOptions {
  /** Time limit of one child process. */
  timeoutMs: number;
  /** V8 heap limit of one child process. */
  memoryMb: number;
  /** Child processes run side by side, each with a share of the files. */
  processes: number;
}

export class LintFormatRunError extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'crashed' | 'no-result' | 'aborted',
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

/**
 * Runs ESLint and Prettier over files of a checkout in child processes
 * (`node -e`): a scrubbed environment (no service secrets: the target's
 * configuration is code), a time limit (the whole process group is
 * killed), a heap limit. The only client of these tools in the planner.
 */
export class LintFormatClient {
  constructor(private readonly options: LintFormatOptions) {}

  async run(cwd: string, request: Omit<LintFormatRequest, 'modules' | 'marker'>, signal?: AbortSignal): Promise<LintFormatResult> {
    const processes = Math.max(1, Math.min(this.options.processes, Math.ceil(request.files.length / 50)));
    const shares: string[][] = Array.from({ length: processes }, () => []);
    request.files.forEach((file, i) => shares[i % processes].push(file));
    const parts = await Promise.all(shares.map((files) => this.runOne(cwd, { ...request, files }, signal)));
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

  private async runOne(cwd: string, request: Omit<LintFormatRequest, 'modules' | 'marker'>, signal?: AbortSignal): Promise<LintFormatResult> {
    if (signal?.aborted) throw new LintFormatRunError('lint/format run stopped before it started', 'aborted');
    const marker = `@@autocode-result-${randomBytes(12).toString('hex')}@@`;
    const home = await mkdtemp(join(tmpdir(), 'autocode-lint-home-'));
    try {
      return await new Promise<LintFormatResult>((resolve, reject) => {
        const child = spawn(process.execPath, [`--max-old-space-size=${this.options.memoryMb}`, '-e', RUNNER_SCRIPT], {
          cwd,
          // Scrubbed: nothing of the planner's environment (Redis, Kafka, InfluxDB credentials) reaches the target's code.
          env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', NODE_ENV: 'production' },
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true,
        });
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        let aborted = false;
        const timer = setTimeout(() => {
          timedOut = true;
          killGroup(child.pid);
        }, this.options.timeoutMs);
        const onAbort = () => {
          aborted = true;
          killGroup(child.pid);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
        });
        child.stderr.on('data', (chunk: Buffer) => {
          if (stderr.length < 10_000) stderr += chunk.toString('utf8');
        });
        child.on('error', (error) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(new LintFormatRunError(`could not start the lint/format process: ${error.message}`, 'crashed'));
        });
        child.on('close', (code, exitSignal) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          // Whatever the repository's code left running in the group goes too.
          killGroup(child.pid);
          if (aborted) return reject(new LintFormatRunError('lint/format run stopped: the planning task was stopped', 'aborted'));
          if (timedOut) return reject(new LintFormatRunError(`lint/format run exceeded its time limit of ${this.options.timeoutMs} ms`, 'timeout'));
          const start = stdout.indexOf(`${marker}\n`);
          const end = stdout.lastIndexOf(`\n${marker}`);
          if (code !== 0 || start === -1 || end <= start) {
            const why = exitSignal ? `killed by ${exitSignal}` : `exit code ${code}`;
            return reject(new LintFormatRunError(`lint/format run failed (${why}): ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500)}`, code === 0 ? 'no-result' : 'crashed'));
          }
          resolve(JSON.parse(stdout.slice(start + marker.length + 1, end)) as LintFormatResult);
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(JSON.stringify({ ...request, modules: MODULES, marker } satisfies LintFormatRequest));
      });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
