import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-3).join(' | ') || 'unknown error'}`);
    this.name = 'GitError';
  }
}

export interface CommitSummary {
  sha: string;
  author: string;
  date: string;
  subject: string;
  files: string[];
}

/**
 * Transports git may use, for every command (clone, fetch, push, and
 * whatever a submodule or a redirect asks for): git's own protocol.allow
 * mechanism. Remote helpers such as `ext::` (runs a command) and `fd::` are
 * not in it, so no repository string or .gitmodules entry can reach them.
 * An operator may narrow it with GIT_ALLOW_PROTOCOL.
 */
export const GIT_ALLOWED_PROTOCOLS = process.env.GIT_ALLOW_PROTOCOL || 'file:https:http:ssh:git';

/**
 * The environment of every git command: nothing of the service's own
 * environment but PATH and HOME, no prompts, no system config, only the
 * allowed transports, and http(s) redirects not followed (a remote could
 * otherwise send git to an internal address).
 */
export function gitEnvironment(extra?: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_ALLOW_PROTOCOL: GIT_ALLOWED_PROTOCOLS,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.followRedirects',
    GIT_CONFIG_VALUE_0: 'false',
    LC_ALL: 'C',
    ...extra,
  };
}

/**
 * The one place that runs git. Arguments are passed as an array (no shell),
 * with a time limit and an output cap, and a scrubbed environment so a
 * user's git config hooks cannot run.
 */
export class GitClient {
  constructor(
    private readonly options: { timeoutMs?: number; maxBufferBytes?: number } = {},
  ) {}

  async exec(cwd: string, args: string[], input?: { env?: Record<string, string> }): Promise<string> {
    try {
      const { stdout } = await run('git', args, {
        cwd,
        timeout: this.options.timeoutMs ?? 60_000,
        maxBuffer: this.options.maxBufferBytes ?? 64 * 1024 * 1024,
        env: gitEnvironment(input?.env),
      });
      return stdout;
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new GitError(args, e.stderr || e.message);
    }
  }

  /** Runs git with `input` on stdin (for `git apply`). */
  execWithInput(cwd: string, args: string[], input: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd,
        env: gitEnvironment(),
        timeout: this.options.timeoutMs ?? 60_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', (error) => reject(new GitError(args, error.message)));
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new GitError(args, stderr || `exit code ${code}`))));
      child.stdin.end(input);
    });
  }

  /**
   * Runs `work` in a throw-away detached worktree of `repository` at
   * `commit`, removed afterwards whatever happens.
   */
  async withWorktree<T>(repository: string, commit: string, work: (dir: string) => Promise<T>): Promise<T> {
    const parent = await mkdtemp(join(tmpdir(), 'autocode-wt-'));
    const dir = join(parent, 'tree');
    await this.exec(repository, ['worktree', 'add', '--detach', '--quiet', dir, commit]);
    try {
      return await work(dir);
    } finally {
      await this.exec(repository, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
      await rm(parent, { recursive: true, force: true });
      await this.exec(repository, ['worktree', 'prune']).catch(() => undefined);
    }
  }

  async resolveCommit(repository: string, ref: string): Promise<string> {
    return (await this.exec(repository, ['rev-parse', '--verify', `${ref}^{commit}`])).trim();
  }

  /** Commits reachable from `ref` newer than `hours`, newest first, with the files each touched. */
  async commitsSince(repository: string, ref: string, hours: number): Promise<CommitSummary[]> {
    const marker = '\u001e';
    const out = await this.exec(repository, [
      'log',
      ref,
      `--since=${hours} hours ago`,
      '--no-renames',
      '--name-only',
      `--format=${marker}%H%x1f%an%x1f%aI%x1f%s`,
    ]);
    return out
      .split(marker)
      .filter((chunk) => chunk.trim())
      .map((chunk) => {
        const [header, ...rest] = chunk.split('\n');
        const [sha, author, date, subject] = header.split('\u001f');
        return { sha, author, date, subject, files: rest.map((f) => f.trim()).filter(Boolean) };
      });
  }

  /** Files present at `commit` (tracked only). */
  async listFiles(repository: string, commit: string): Promise<string[]> {
    const out = await this.exec(repository, ['ls-tree', '-r', '--name-only', '-z', commit]);
    return out.split('\0').filter(Boolean);
  }
}
