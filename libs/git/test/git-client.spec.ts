import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitClient, GitError } from '../src';

/**
 * Real git. A remote helper on PATH (git-remote-<name>) is what `<name>::…`
 * and a .gitmodules entry would run; git's own protocol.allow, set by the
 * client's environment, must keep it (and ext::, fd::) from running.
 */
describe('GitClient transports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'git-client-'));
  const bin = join(dir, 'bin');
  const marker = join(dir, 'helper-ran');
  const originalPath = process.env.PATH;
  const git = new GitClient({ timeoutMs: 20_000 });

  beforeAll(() => {
    mkdirSync(bin);
    writeFileSync(join(bin, 'git-remote-evil'), `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(join(bin, 'git-remote-evil'), 0o755);
    process.env.PATH = `${bin}:${originalPath}`;
  });

  afterAll(() => {
    process.env.PATH = originalPath;
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['a custom remote helper', 'evil::anything', /transport 'evil' not allowed/],
    ['ext::', `ext::sh -c touch% ${marker}`, /transport 'ext' not allowed/],
    ['fd::', 'fd::0', /transport 'fd' not allowed/],
  ])('refuses %s, and nothing runs', async (_name, remote, reason) => {
    const error = await git.exec(dir, ['clone', '--quiet', '--', remote, join(dir, `out-${Math.random().toString(36).slice(2)}`)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toMatch(reason);
    expect(existsSync(marker)).toBe(false);
  });

  it('still clones local repositories, and runs with redirects off', async () => {
    const source = join(dir, 'source');
    mkdirSync(source);
    const run = (...args: string[]) => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@autocode.invalid', ...args], { cwd: source, encoding: 'utf8' });
    run('init', '-q');
    writeFileSync(join(source, 'a.txt'), 'a\n');
    run('add', '.');
    run('commit', '-qm', 'a');
    const clone = join(dir, 'clone');
    await git.exec(dir, ['clone', '--quiet', '--', source, clone]);
    expect(existsSync(join(clone, 'a.txt'))).toBe(true);
    expect((await git.exec(clone, ['config', '--get', 'http.followRedirects'])).trim()).toBe('false');
  });
});
