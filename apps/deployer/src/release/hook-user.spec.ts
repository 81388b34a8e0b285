import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHookUserReach, parsePasswdLine, resolveHookUser } from './hook-user';

describe('parsePasswdLine', () => {
  it('reads name, uid, gid and home', () => {
    expect(parsePasswdLine('deploy:x:1001:1002:Deploy:/home/deploy:/bin/sh')).toEqual({ name: 'deploy', uid: 1001, gid: 1002, home: '/home/deploy' });
    expect(parsePasswdLine('broken')).toBeUndefined();
    expect(parsePasswdLine('a:x:not:1:::')).toBeUndefined();
  });
});

describe('resolveHookUser (the real user database)', () => {
  it('finds a user that exists, by name and by uid', () => {
    expect(resolveHookUser('nobody', 0)).toMatchObject({ name: 'nobody', uid: 65534 });
    expect(resolveHookUser('65534', 0)).toMatchObject({ name: 'nobody' });
  });

  it('says when the user does not exist', () => {
    expect(() => resolveHookUser('no-such-user-autocode', 0)).toThrow('user "no-such-user-autocode" does not exist on this host');
  });

  it('says when this process could not switch to it', () => {
    expect(() => resolveHookUser('nobody', 1000)).toThrow('running hooks as "nobody" (uid 65534) needs the deployer to run as root; it runs as uid 1000');
  });
});

// Needs root (switching users), as the deployer does when DEPLOY_HOOK_USER is set.
describe('checkHookUserReach (as root, a real process as the hook user)', () => {
  it('passes for a directory the user can enter and names one it cannot', async () => {
    const closed = mkdtempSync(join(tmpdir(), 'autocode-hook-reach-'));
    try {
      const nobody = resolveHookUser('nobody');
      expect(await checkHookUserReach(nobody, '/tmp')).toBeUndefined();
      expect(await checkHookUserReach(nobody, join(closed, 'inner'))).toMatch(/user "nobody" cannot enter .*inner .*chmod o\+x/);
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });
});
