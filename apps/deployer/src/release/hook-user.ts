import { execFileSync, spawn } from 'node:child_process';

/** The account deploy hooks run as (DEPLOY_HOOK_USER), as the system knows it. */
export interface HookUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/**
 * Looks a user up through NSS (`getent passwd`, so LDAP users count too).
 * Throws with the reason when the user does not exist, or when this
 * process could not switch to it (only root may).
 */
export function resolveHookUser(name: string, currentUid = process.getuid?.() ?? -1): HookUser {
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, timeout: 5000 }).trim().split('\n')[0] ?? '';
  } catch {
    throw new Error(`user "${name}" does not exist on this host`);
  }
  const user = parsePasswdLine(line);
  if (!user) throw new Error(`user "${name}" does not exist on this host`);
  if (currentUid !== 0 && currentUid !== user.uid) {
    throw new Error(`running hooks as "${name}" (uid ${user.uid}) needs the deployer to run as root; it runs as uid ${currentUid}`);
  }
  return user;
}

export function parsePasswdLine(line: string): HookUser | undefined {
  const [name, , uid, gid, , home] = line.split(':');
  if (!name || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) return undefined;
  return { name, uid: Number(uid), gid: Number(gid), home: home || '/' };
}

/**
 * Whether `user` can enter `dir` (every directory above it included), tried
 * as that user; the reason when it cannot, else undefined.
 */
export function checkHookUserReach(user: HookUser, dir: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', 'cd "$1"', 'check', dir], { uid: user.uid, gid: user.gid, env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => resolve(`cannot start a process as "${user.name}": ${error.message}`));
    child.on('close', (code) =>
      resolve(code === 0 ? undefined : `user "${user.name}" cannot enter ${dir} (${stderr.trim().split('\n').pop() || `exit ${code}`}); make it and its parents traversable (chmod o+x)`),
    );
  });
}
