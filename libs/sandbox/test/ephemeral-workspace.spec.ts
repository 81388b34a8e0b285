import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PathOutsideWorkspaceError, Sandbox, WorkspaceManager } from '../src';

/** Ephemeral checkouts of a real git repository, and the sandbox working in them. */
describe('WorkspaceManager', () => {
  let dir: string;
  let repo: string;
  let first: string;
  let second: string;
  let manager: WorkspaceManager;

  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@autocode.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'workspace-spec-'));
    repo = join(dir, 'source');
    mkdirSync(join(repo, 'src'), { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'src/a.ts'), 'export const a = 1;\n');
    writeFileSync(join(repo, 'src/b.ts'), 'export const b = 2;\n');
    writeFileSync(join(repo, '.gitignore'), 'build/\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'first');
    first = git(repo, 'rev-parse', 'HEAD');
    writeFileSync(join(repo, 'src/c.ts'), 'export const c = 3;\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'second');
    second = git(repo, 'rev-parse', 'HEAD');
    manager = new WorkspaceManager({ baseDir: join(dir, 'workspaces') });
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('checks out the requested commit, not the branch head, and removes it afterwards', async () => {
    let root = '';
    await manager.withWorkspace(repo, first, async (workspace) => {
      root = workspace.root;
      expect(readFileSync(join(root, 'src/a.ts'), 'utf8')).toBe('export const a = 1;\n');
      expect(existsSync(join(root, 'src/c.ts'))).toBe(false);
      expect(existsSync(join(root, '.git'))).toBe(false);
      expect(workspace.commit).toBe(first);
    });
    expect(root).not.toBe('');
    expect(existsSync(root)).toBe(false);
    // The source repository was only read.
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(second);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('removes the workspace when the work throws', async () => {
    let root = '';
    await expect(
      manager.withWorkspace(repo, second, async (workspace) => {
        root = workspace.root;
        throw new Error('generator failed');
      }),
    ).rejects.toThrow('generator failed');
    expect(existsSync(root)).toBe(false);
  });

  it('diffs every change (edits, new files, deletions; not ignored files) into a patch that applies to a fresh checkout', async () => {
    const patch = await manager.withWorkspace(repo, second, async (workspace) => {
      writeFileSync(join(workspace.root, 'src/a.ts'), 'export const a = 10;\nexport const aa = 11;\n');
      writeFileSync(join(workspace.root, 'src/new.ts'), 'export const fresh = true;\n');
      unlinkSync(join(workspace.root, 'src/b.ts'));
      mkdirSync(join(workspace.root, 'build'));
      writeFileSync(join(workspace.root, 'build/out.js'), 'ignored');
      return workspace.diff();
    });
    expect(patch.files.map((f) => f.path).sort()).toEqual(['src/a.ts', 'src/b.ts', 'src/new.ts']);
    expect(patch).toMatchObject({ filesChanged: 3, insertions: 3, deletions: 2 });
    expect(patch.diff).toContain('diff --git a/src/new.ts b/src/new.ts');

    await manager.withWorkspace(repo, second, async (workspace) => {
      expect(await workspace.checkPatch(patch.diff)).toEqual({ applies: true });
      await workspace.applyPatch(patch.diff);
      expect(readFileSync(join(workspace.root, 'src/a.ts'), 'utf8')).toBe('export const a = 10;\nexport const aa = 11;\n');
      expect(existsSync(join(workspace.root, 'src/b.ts'))).toBe(false);
      expect((await workspace.diff()).diff).toBe(patch.diff);
    });
  });

  it('reports an empty diff when nothing changed', async () => {
    const patch = await manager.withWorkspace(repo, second, (workspace) => workspace.diff());
    expect(patch).toEqual({ diff: '', files: [], filesChanged: 0, insertions: 0, deletions: 0 });
  });

  it('says why a patch does not apply', async () => {
    await manager.withWorkspace(repo, first, async (workspace) => {
      const check = await workspace.checkPatch('diff --git a/src/c.ts b/src/c.ts\n--- a/src/c.ts\n+++ b/src/c.ts\n@@ -1 +1 @@\n-export const c = 3;\n+export const c = 4;\n');
      expect(check).toMatchObject({ applies: false, reason: expect.stringContaining('src/c.ts') });
    });
  });

  it('refuses a change that is a symlink leading out of the workspace', async () => {
    await manager.withWorkspace(repo, second, async (workspace) => {
      symlinkSync('/etc/passwd', join(workspace.root, 'src/passwd.ts'));
      await expect(workspace.diff()).rejects.toThrow(PathOutsideWorkspaceError);
    });
  });

  it('keeps git metadata out of reach: a planted .git with a hook-running config is never used', async () => {
    const marker = join(dir, 'fsmonitor-ran');
    await manager.withWorkspace(repo, second, async (workspace) => {
      // What a generator could do from inside: make the work tree a repository of its own, with a hook.
      git(workspace.root, 'init', '-q');
      git(workspace.root, 'config', 'core.fsmonitor', `touch ${marker}; false`);
      writeFileSync(join(workspace.root, 'src/a.ts'), 'export const a = 5;\n');
      const patch = await workspace.diff();
      expect(patch.files.map((f) => f.path)).toEqual(['src/a.ts']);
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('sweeps workspaces a crashed process left behind', async () => {
    const left = await manager.create(repo, second);
    expect(await manager.sweep(60_000)).toBe(0);
    expect(existsSync(left.root)).toBe(true);
    expect(await manager.sweep(0)).toBe(1);
    expect(existsSync(left.root)).toBe(false);
  });

  it('gives a sandboxed process the work tree to change and the diff sees it', async () => {
    const sandbox = await Sandbox.create({ mode: 'bubblewrap' });
    await manager.withWorkspace(repo, second, async (workspace) => {
      const result = await sandbox.run({
        ...workspace.sandboxPaths,
        command: 'node',
        args: ['-e', "require('fs').appendFileSync('src/c.ts', 'export const d = 4;\\n'); require('fs').writeFileSync(require('os').tmpdir() + '/scratch.txt', 'x')"],
        timeoutMs: 20_000,
      });
      expect(result).toMatchObject({ exitCode: 0, reason: 'exited' });
      expect(existsSync(join(workspace.scratchDir, 'scratch.txt'))).toBe(true);
      const patch = await workspace.diff();
      expect(patch).toMatchObject({ filesChanged: 1, insertions: 1, deletions: 0 });
      expect(patch.diff).toContain('+export const d = 4;');
    });
  });
});
