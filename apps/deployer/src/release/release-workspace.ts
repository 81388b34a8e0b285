import { existsSync, lstatSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { GitClient, GitError } from '@autocode/git';
import { TRAILER_DEPLOYMENT } from './commit-message';

export interface GitAuthor {
  name: string;
  email: string;
}

export class PatchConflictError extends Error {
  constructor(branch: string, tip: string, detail: string) {
    super(`the change does not apply to ${branch} at ${tip.slice(0, 12)}: ${detail}`);
    this.name = 'PatchConflictError';
  }
}

/** Records which repository a workspace belongs to, so workspaces of deleted repositories can be swept. */
const SOURCE_FILE = 'source.json';

/**
 * Removes the workspaces of local repositories that no longer exist (test
 * fixtures, moved checkouts). Their release checkouts go too: a service a
 * hook started from one keeps running from memory, as after any deploy.
 */
export async function sweepWorkspaces(base: string): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(base).catch(() => [] as string[])) {
    const root = join(base, entry);
    try {
      const { repository } = JSON.parse(await readFile(join(root, SOURCE_FILE), 'utf8')) as { repository?: string };
      if (repository && isAbsolute(repository) && !existsSync(repository)) {
        await rm(root, { recursive: true, force: true });
        removed += 1;
      }
    } catch {
      // not a workspace of ours, or one being created: leave it
    }
  }
  return removed;
}

/**
 * The deployer's git side for one (repository, environment): a clone of
 * the target repository to commit in, and one checkout per released
 * revision for hooks to run in (kept for instant rollbacks). Callers hold
 * the environment lock, so nothing else touches it meanwhile.
 */
export class ReleaseWorkspace {
  readonly repoDir: string;
  readonly releasesDir: string;
  readonly logsDir: string;

  constructor(
    private readonly git: GitClient,
    readonly root: string,
    private readonly author: GitAuthor,
  ) {
    this.repoDir = join(root, 'repo');
    this.releasesDir = join(root, 'releases');
    this.logsDir = join(root, 'logs');
  }

  /** Clones the source repository once, then fetches its branches; makes sure `commit` is present. */
  async sync(source: string, commit: string): Promise<void> {
    await mkdir(this.releasesDir, { recursive: true });
    await mkdir(this.logsDir, { recursive: true });
    await writeFile(join(this.root, SOURCE_FILE), JSON.stringify({ repository: source }));
    if (!existsSync(join(this.repoDir, '.git'))) {
      await rm(this.repoDir, { recursive: true, force: true });
      await this.remoteOp(() => this.git.exec(this.root, ['clone', '--quiet', '--no-checkout', source, this.repoDir]));
    }
    await this.remoteOp(() => this.git.exec(this.repoDir, ['fetch', '--quiet', '--prune', '--no-tags', source, '+refs/heads/*:refs/remotes/source/*']));
    if (!(await this.has(commit))) await this.remoteOp(() => this.git.exec(this.repoDir, ['fetch', '--quiet', '--no-tags', source, commit]));
  }

  async has(commit: string): Promise<boolean> {
    try {
      await this.git.exec(this.repoDir, ['cat-file', '-e', `${commit}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  /** The remote's branch tip, or null when the branch does not exist there. */
  async remoteTip(remote: string, branch: string): Promise<string | null> {
    const out = await this.remoteOp(() => this.git.exec(this.repoDir, ['ls-remote', '--heads', remote, `refs/heads/${branch}`]));
    const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
    return line ? line.split('\t')[0] : null;
  }

  /** Branch names on the remote matching a `prefix*suffix` pattern. */
  async remoteBranches(remote: string, pattern: string): Promise<string[]> {
    const out = await this.remoteOp(() => this.git.exec(this.repoDir, ['ls-remote', '--heads', remote, `refs/heads/${pattern}`]));
    return out
      .split('\n')
      .map((l) => l.split('\t')[1])
      .filter((ref): ref is string => Boolean(ref?.startsWith('refs/heads/')))
      .map((ref) => ref.slice('refs/heads/'.length));
  }

  /** Fetches the remote branch into a private ref and returns its tip. */
  async fetchBranch(remote: string, branch: string): Promise<string> {
    const ref = `refs/autocode/remote/${branch}`;
    await this.remoteOp(() => this.git.exec(this.repoDir, ['fetch', '--quiet', '--no-tags', remote, `+refs/heads/${branch}:${ref}`]));
    return (await this.git.exec(this.repoDir, ['rev-parse', `${ref}^{commit}`])).trim();
  }

  /** A commit on `onto` whose message carries this deployment's trailer (an earlier attempt's push), if any. */
  async findDeploymentCommit(onto: string, deploymentId: string): Promise<string | null> {
    const out = await this.git.exec(this.repoDir, ['log', '-n', '50', '--format=%H', `--grep=^${TRAILER_DEPLOYMENT}: ${deploymentId}$`, onto]);
    return out.trim().split('\n')[0] || null;
  }

  /**
   * Applies `diff` on top of `onto` (three-way, so a branch that moved on
   * still takes it) and commits with `message` (`buildCommitMessage`: it
   * carries the deployment trailer `findDeploymentCommit` looks for).
   */
  async commitPatch(options: { onto: string; branch: string; diff: string; message: string }): Promise<string> {
    await this.checkoutClean(options.onto);
    try {
      await this.git.execWithInput(this.repoDir, ['apply', '--3way', '--index', '--whitespace=nowarn', '-'], options.diff);
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      await this.checkoutClean(options.onto);
      throw new PatchConflictError(options.branch, options.onto, error.stderr.trim().split('\n').slice(-3).join(' | '));
    }
    // verbatim: git keeps the message as built (no '#' lines dropped, no reflow).
    await this.commit(['commit', '--quiet', '--allow-empty', '--cleanup=verbatim', '-m', options.message]);
    return this.head();
  }

  /** A commit on `onto` undoing `revision` (history is kept: nothing is force-pushed). */
  async revert(options: { onto: string; revision: string; deploymentId: string; reason: string }): Promise<string> {
    await this.checkoutClean(options.onto);
    try {
      await this.commit(['revert', '--no-edit', '--no-commit', options.revision]);
    } catch (error) {
      await this.git.exec(this.repoDir, ['revert', '--abort']).catch(() => undefined);
      await this.checkoutClean(options.onto);
      throw error;
    }
    const subject = (await this.git.exec(this.repoDir, ['log', '-1', '--format=%s', options.revision])).trim();
    const message = `Revert "${subject}"\n\n${options.reason.slice(0, 1000)}\n\nAutocode-Rollback-Of: ${options.revision}\n${TRAILER_DEPLOYMENT}: ${options.deploymentId}\n`;
    await this.commit(['commit', '--quiet', '--allow-empty', '-m', message]);
    return this.head();
  }

  /** Fast-forward push of `sha` to the remote branch (never forced). */
  async push(remote: string, sha: string, branch: string): Promise<void> {
    await this.remoteOp(() => this.git.exec(this.repoDir, ['push', '--quiet', '--no-verify', remote, `${sha}:refs/heads/${branch}`]));
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.git.exec(this.repoDir, ['merge-base', '--is-ancestor', ancestor, descendant]);
      return true;
    } catch (error) {
      if (error instanceof GitError) return false;
      throw error;
    }
  }

  async treeOf(revision: string): Promise<string> {
    return (await this.git.exec(this.repoDir, ['rev-parse', `${revision}^{tree}`])).trim();
  }

  /** A checkout of `revision` for hooks to run in; kept until pruned. */
  async release(revision: string): Promise<string> {
    const dir = join(this.releasesDir, revision);
    if (existsSync(join(dir, '.git'))) return dir;
    await rm(dir, { recursive: true, force: true });
    await this.git.exec(this.repoDir, ['worktree', 'prune']);
    await this.git.exec(this.repoDir, ['worktree', 'add', '--quiet', '--detach', '--force', dir, revision]);
    return dir;
  }

  /**
   * Makes the hook's own files in a release checkout the base revision's:
   * each path-like word of the command that is a file at `baseCommit` gets
   * that content back, and one that is not there at the base is removed —
   * the hook never runs a file of the deployed change (the validator's
   * protected paths refuse such changes too; this holds whatever the branch
   * tip carries). Returns the paths it pinned or removed.
   */
  async pinHookFiles(dir: string, baseCommit: string, words: readonly string[]): Promise<string[]> {
    const touched: string[] = [];
    for (const word of words) {
      const [entry] = (await this.git.exec(this.repoDir, ['--literal-pathspecs', 'ls-tree', '-z', baseCommit, '--', word])).split('\0');
      const type = entry ? entry.split(' ')[1] : undefined;
      const target = join(dir, word);
      if (type === 'blob') {
        await this.git.exec(dir, ['--literal-pathspecs', 'checkout', '--quiet', baseCommit, '--', word]);
        touched.push(word);
      } else if (type === undefined && lstatSync(target, { throwIfNoEntry: false })?.isFile()) {
        // Planted by the patch (the base has no such file): the command must not find it.
        await rm(target, { force: true });
        touched.push(word);
      }
    }
    return touched;
  }

  /**
   * Lets a hook running as another user (DEPLOY_HOOK_USER) read a release
   * checkout, whatever the deployer's umask. It stays the deployer's and
   * read-only to the hook: git runs as the deployer in it, and a hook that
   * could rewrite its `.git` file or config could make that git run its code.
   */
  async shareReadOnly(dir: string): Promise<void> {
    for (const parent of [this.root, this.releasesDir]) await chmod(parent, ((await stat(parent)).mode & 0o7777) | 0o055);
    await shareTree(dir);
  }

  /** Removes release checkouts beyond the newest `keepCount`, never one in `live`. */
  async pruneReleases(live: ReadonlySet<string>, keepCount: number): Promise<void> {
    const names = await readdir(this.releasesDir).catch(() => [] as string[]);
    const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(join(this.releasesDir, name))).mtimeMs })));
    const old = dated.sort((a, b) => b.mtime - a.mtime).slice(keepCount).filter((r) => !live.has(r.name));
    for (const release of old) {
      await this.git.exec(this.repoDir, ['worktree', 'remove', '--force', join(this.releasesDir, release.name)]).catch(() => undefined);
      await rm(join(this.releasesDir, release.name), { recursive: true, force: true });
    }
    if (old.length) await this.git.exec(this.repoDir, ['worktree', 'prune']);
  }

  /** Remote URLs may carry credentials, and git's errors quote them: strip them before anyone logs the error. */
  private async remoteOp<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof GitError) throw new GitError(error.args.map(redactUrl), redactCredentials(error.stderr));
      throw error;
    }
  }

  private async checkoutClean(revision: string): Promise<void> {
    await this.git.exec(this.repoDir, ['reset', '--quiet', '--hard']).catch(() => undefined);
    await this.git.exec(this.repoDir, ['checkout', '--quiet', '--force', '--detach', revision]);
    await this.git.exec(this.repoDir, ['clean', '-fdxq']);
  }

  private async head(): Promise<string> {
    return (await this.git.exec(this.repoDir, ['rev-parse', 'HEAD'])).trim();
  }

  private commit(args: string[]): Promise<string> {
    return this.git.exec(this.repoDir, [
      '-c',
      `user.name=${this.author.name}`,
      '-c',
      `user.email=${this.author.email}`,
      '-c',
      'commit.gpgsign=false',
      '-c',
      'core.hooksPath=/dev/null',
      ...args,
    ]);
  }
}

/** Adds read (and, where the owner has it, execute/search) for group and others; symlinks are left alone, never followed. */
async function shareTree(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  const mode = info.mode & 0o7777;
  const wanted = mode | 0o044 | (mode & 0o100 || info.isDirectory() ? 0o011 : 0);
  if (wanted !== mode) await chmod(path, wanted);
  if (!info.isDirectory()) return;
  for (const name of await readdir(path)) await shareTree(join(path, name));
}

/**
 * Where an environment pushes: a remote name of the target repository, a
 * URL, or a path (relative to the repository); unset means the target
 * repository itself.
 */
export async function resolveRemote(git: GitClient, repository: string, remote: string | undefined): Promise<string> {
  const local = !/^[a-z][a-z0-9+.-]*:\/\//i.test(repository) && !/^[^/]+@[^:]+:/.test(repository);
  if (!remote) return local ? resolve(repository) : repository;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) || /^[^/]+@[^:]+:/.test(remote)) return remote;
  if (remote.includes('/') || remote.startsWith('.')) {
    if (isAbsolute(remote)) return remote;
    if (!local) throw new RemoteConfigError(`remote "${remote}" is a relative path, but the repository ${redactUrl(repository)} is not local`);
    return resolve(repository, remote);
  }
  if (!local) throw new RemoteConfigError(`remote "${remote}" is a remote name, which only a local repository can resolve`);
  try {
    const url = (await git.exec(repository, ['remote', 'get-url', remote])).trim();
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^:]+:/.test(url) || isAbsolute(url) ? url : resolve(repository, url);
  } catch (error) {
    if (error instanceof GitError) throw new RemoteConfigError(`the target repository has no remote named "${remote}"`);
    throw error;
  }
}

export class RemoteConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteConfigError';
  }
}

/** A remote fit for records and logs: no user or password. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/\s]*@/gi, '$1');
}
