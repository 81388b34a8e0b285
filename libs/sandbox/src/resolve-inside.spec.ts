import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PathOutsideWorkspaceError, resolveInside, resolveInsideLexically } from './resolve-inside';

describe('resolveInside', () => {
  let dir: string;
  let workspace: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'resolve-inside-'));
    workspace = join(dir, 'ws');
    mkdirSync(join(workspace, 'src'), { recursive: true });
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(workspace, 'src/a.ts'), '');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves paths inside, existing or not', async () => {
    await expect(resolveInside(workspace, 'src/a.ts')).resolves.toBe(join(workspace, 'src/a.ts'));
    await expect(resolveInside(workspace, 'src/new/deep/file.ts')).resolves.toBe(join(workspace, 'src/new/deep/file.ts'));
    await expect(resolveInside(workspace, './src/../src/a.ts')).resolves.toBe(join(workspace, 'src/a.ts'));
    await expect(resolveInside(workspace, '..hidden/x')).resolves.toBe(join(workspace, '..hidden/x'));
  });

  it.each([
    ['/etc/passwd', 'absolute'],
    ['../outside.txt', 'climbs out'],
    ['src/../../outside.txt', 'climbs out'],
    ['.', 'climbs out'],
    ['', 'empty'],
    ['src/a\0.ts', 'NUL'],
    ['.git/config', 'git metadata'],
    ['.git/hooks/pre-commit', 'git metadata'],
  ])('refuses %j (%s)', async (path, why) => {
    await expect(resolveInside(workspace, path)).rejects.toThrow(PathOutsideWorkspaceError);
    expect(() => resolveInsideLexically(workspace, path)).toThrow(why);
  });

  it('refuses paths that lead out through a symlinked directory', async () => {
    symlinkSync(join(dir, 'elsewhere'), join(workspace, 'src/link'));
    await expect(resolveInside(workspace, 'src/link/file.ts')).rejects.toThrow(/through a symlink/);
  });

  it('refuses a file that is a symlink to the outside, dangling or not', async () => {
    symlinkSync('/etc/passwd', join(workspace, 'src/passwd'));
    symlinkSync('../../../nowhere', join(workspace, 'src/dangling'));
    await expect(resolveInside(workspace, 'src/passwd')).rejects.toThrow(PathOutsideWorkspaceError);
    await expect(resolveInside(workspace, 'src/dangling')).rejects.toThrow(/symlink/);
  });

  it('accepts symlinks that stay inside', async () => {
    symlinkSync('a.ts', join(workspace, 'src/alias.ts'));
    await expect(resolveInside(workspace, 'src/alias.ts')).resolves.toBe(join(workspace, 'src/alias.ts'));
  });
});
