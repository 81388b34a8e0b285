import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { GitClient, GitError, RepositoryPolicy } from '@autocode/git';
import { resolveInside } from './resolve-inside';

export interface WorkspaceFileChange {
  path: string;
  insertions: number;
  deletions: number;
  binary: boolean;
}

export interface WorkspaceDiff {
  /** Unified diff of everything that changed, `git apply`-able from the repository root (-p1). */
  diff: string;
  files: WorkspaceFileChange[];
  filesChanged: number;
  insertions: number;
  deletions: number;
}

export interface WorkspaceManagerOptions {
  /** Where workspaces are created; a directory under the system temp dir by default. */
  baseDir?: string;
  git?: GitClient;
  /** Which repositories may be cloned (REPOSITORY_ALLOWED_* of this process by default). */
  repositories?: RepositoryPolicy;
}

const DIFF_ARGS = ['--binary', '--no-color', '--no-ext-diff', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/'];

/**
 * A throw-away checkout of a repository at one commit, for one task.
 *
 * Layout: `<dir>/repo` is the work tree (the only place a sandboxed process
 * may change), `<dir>/scratch` its HOME and TMPDIR, and `<dir>/git` the git
 * metadata — kept outside the work tree, so nothing running in the sandbox
 * can plant git configuration (hooks, fsmonitor, filters) that git would
 * later run outside it. The clone shares the source's objects read-only
 * (`--shared`); the source repository is never written.
 */
export class EphemeralWorkspace {
  private removed = false;

  constructor(
    /** The work tree. */
    readonly root: string,
    /** HOME and TMPDIR for sandboxed processes. */
    readonly scratchDir: string,
    readonly commit: string,
    private readonly gitDir: string,
    private readonly dir: string,
    private readonly git: GitClient,
  ) {}

  /** What to hand Sandbox.run: `{ ...workspace.sandboxPaths, command, … }`. */
  get sandboxPaths(): { cwd: string; scratchDir: string } {
    return { cwd: this.root, scratchDir: this.scratchDir };
  }

  /**
   * Everything that changed in the work tree since the checkout (new files
   * included, ignored files not), as one unified diff with stats. Every
   * changed path is checked with resolveInside: a change that is, or goes
   * through, a symlink leading out of the workspace is refused.
   */
  async diff(paths?: string[]): Promise<WorkspaceDiff> {
    const pathspec = paths?.length ? ['--', ...paths] : [];
    await this.gitIn(['add', '--all', ...(paths?.length ? ['--', ...paths] : [])]);
    const numstat = await this.gitIn(['diff', '--cached', '--numstat', '-z', '--no-renames', ...pathspec]);
    const files = parseNumstat(numstat);
    for (const file of files) await resolveInside(this.root, file.path);
    const diff = files.length ? await this.gitIn(['diff', '--cached', ...DIFF_ARGS, ...pathspec]) : '';
    return {
      diff,
      files,
      filesChanged: files.length,
      insertions: files.reduce((sum, f) => sum + f.insertions, 0),
      deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    };
  }

  /** Whether `diff` applies cleanly to the work tree as it is now; the reason when not. */
  async checkPatch(diff: string): Promise<{ applies: true } | { applies: false; reason: string }> {
    try {
      await this.git.execWithInput(this.root, [...this.gitArgs(), 'apply', '--check', '--whitespace=nowarn', '-'], diff);
      return { applies: true };
    } catch (error) {
      return { applies: false, reason: error instanceof GitError ? error.stderr.trim().slice(0, 2000) : (error as Error).message };
    }
  }

  /** Applies `diff` to the work tree (a validator's patch, or a checkpoint being resumed). */
  async applyPatch(diff: string): Promise<void> {
    if (!diff) return;
    await this.git.execWithInput(this.root, [...this.gitArgs(), 'apply', '--whitespace=nowarn', '-'], diff);
  }

  /** Removes the work tree, the scratch directory and the git metadata. Safe to call twice. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    await rm(this.dir, { recursive: true, force: true });
  }

  private gitArgs(): string[] {
    return ['-c', 'core.autocrlf=false', '-c', 'core.hooksPath=/dev/null', `--git-dir=${this.gitDir}`, `--work-tree=${this.root}`];
  }

  private gitIn(args: string[]): Promise<string> {
    return this.git.exec(this.root, [...this.gitArgs(), ...args]);
  }
}

/** Creates ephemeral workspaces and sweeps up the ones a crashed process left behind. */
export class WorkspaceManager {
  readonly baseDir: string;
  private readonly git: GitClient;
  private readonly repositories: RepositoryPolicy;

  constructor(options: WorkspaceManagerOptions = {}) {
    this.baseDir = options.baseDir ?? join(tmpdir(), 'autocode-workspaces');
    this.git = options.git ?? new GitClient({ timeoutMs: 120_000 });
    this.repositories = options.repositories ?? RepositoryPolicy.fromEnv();
  }

  /** A fresh checkout of `repository` (a local path or a git URL) at `commit`. The caller removes it. */
  async create(repository: string, commit: string): Promise<EphemeralWorkspace> {
    // Task params are not trusted to name a repository: the same policy as a trigger's (schemes, hosts, roots).
    this.repositories.assertAllowed(repository);
    await mkdir(this.baseDir, { recursive: true });
    const dir = await mkdtemp(join(this.baseDir, 'ws-'));
    const root = join(dir, 'repo');
    const gitDir = join(dir, 'git');
    const scratchDir = join(dir, 'scratch');
    try {
      await mkdir(scratchDir);
      const local = isAbsolute(repository) && existsSync(repository);
      await this.git.exec(dir, ['clone', '--quiet', '--no-checkout', ...(local ? ['--shared'] : []), `--separate-git-dir=${gitDir}`, '--', repository, root]);
      const workspace = new EphemeralWorkspace(root, scratchDir, commit, gitDir, dir, this.git);
      await this.git.exec(root, ['-c', 'core.hooksPath=/dev/null', `--git-dir=${gitDir}`, `--work-tree=${root}`, 'checkout', '--quiet', '--force', '--detach', commit]);
      // The work tree's pointer to the metadata goes: git is always driven from outside with --git-dir.
      await rm(join(root, '.git'), { force: true });
      return workspace;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Runs `work` in a fresh workspace and removes it afterwards, whatever happens. */
  async withWorkspace<T>(repository: string, commit: string, work: (workspace: EphemeralWorkspace) => Promise<T>): Promise<T> {
    const workspace = await this.create(repository, commit);
    try {
      return await work(workspace);
    } finally {
      await workspace.remove();
    }
  }

  /** Removes workspaces older than `olderThanMs` (left by a process that died mid-task). Returns how many. */
  async sweep(olderThanMs: number): Promise<number> {
    const entries = await readdir(this.baseDir).catch(() => [] as string[]);
    let removed = 0;
    for (const entry of entries.filter((e) => e.startsWith('ws-'))) {
      const path = join(this.baseDir, entry);
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > olderThanMs) {
        await rm(path, { recursive: true, force: true });
        removed += 1;
      }
    }
    return removed;
  }
}

function parseNumstat(output: string): WorkspaceFileChange[] {
  const files: WorkspaceFileChange[] = [];
  for (const record of output.split('\0')) {
    if (!record) continue;
    const [insertions, deletions, ...rest] = record.split('\t');
    const path = rest.join('\t');
    if (!path) continue;
    const binary = insertions === '-' || deletions === '-';
    files.push({ path, insertions: binary ? 0 : Number(insertions), deletions: binary ? 0 : Number(deletions), binary });
  }
  return files;
}
