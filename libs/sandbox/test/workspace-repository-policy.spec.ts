import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RepositoryNotAllowedError, RepositoryPolicy } from '@autocode/git';
import { WorkspaceManager } from '../src';

/** A task's `repository` param is held to the repository policy before git sees it; nothing is created for a refused one. */
describe('WorkspaceManager and the repository policy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-policy-'));
  const marker = join(dir, 'pwned');
  const manager = new WorkspaceManager({ baseDir: join(dir, 'workspaces'), repositories: RepositoryPolicy.fromEnv({ REPOSITORY_ALLOWED_ROOTS: join(dir, 'allowed') }) });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['ext::', `ext::sh -c touch% ${marker}`, 'git remote helpers ("ext::") are not allowed'],
    ['an option', '--upload-pack=touch /tmp/x', 'must not start with "-"'],
    ['an internal URL', 'http://10.0.0.1/x.git', 'scheme http not allowed'],
    ['a path outside the allowed roots', '/etc', 'is outside REPOSITORY_ALLOWED_ROOTS'],
  ])('refuses %s', async (_what, repository, reason) => {
    const error = await manager.create(repository, 'HEAD').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RepositoryNotAllowedError);
    expect((error as Error).message).toContain(reason);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, 'workspaces')) ? readdirSync(join(dir, 'workspaces')) : []).toEqual([]);
  });
});
