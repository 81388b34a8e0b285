import { lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';

/**
 * Arguments for bubblewrap (bwrap): a new mount, PID, network, IPC and UTS
 * namespace whose root is an empty, read-only tmpfs. Into it go the system
 * directories and the toolchain, read-only, and the workspace and a scratch
 * directory, writable. Nothing else of the host exists inside: not the
 * service's configuration, not other workspaces, not /root or /home, and
 * not the service's /proc (its environment included).
 */

/** System directories every program needs; merged-/usr symlinks are recreated as symlinks. */
const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** Only what programs need from /etc: users, name resolution, certificates, the linker cache. */
const ETC_ENTRIES = [
  'passwd',
  'group',
  'hosts',
  'host.conf',
  'nsswitch.conf',
  'resolv.conf',
  'ssl',
  'ca-certificates',
  'ca-certificates.conf',
  'alternatives',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'localtime',
  'timezone',
  'mime.types',
  'os-release',
];

export type PathKind = { type: 'dir' } | { type: 'file' } | { type: 'symlink'; target: string } | { type: 'missing' };

export function describePath(path: string): PathKind {
  try {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return { type: 'symlink', target: readlinkSync(path) };
    return stat.isDirectory() ? { type: 'dir' } : { type: 'file' };
  } catch {
    return { type: 'missing' };
  }
}

export interface BubblewrapPlan {
  /** Working directory; must be one of `writable` or inside one. */
  cwd: string;
  /** Directories the process may write (the workspace, its scratch directory). */
  writable: string[];
  /** Extra directories or files it may read (toolchain, node_modules). */
  readOnly: string[];
  /** Whether the process keeps the host's network (off: a private loopback only). */
  network: boolean;
  /** Whether bwrap runs as root; then every capability is dropped inside. */
  asRoot: boolean;
}

export function bubblewrapArgs(plan: BubblewrapPlan, describe: (path: string) => PathKind = describePath): string[] {
  const args = ['--die-with-parent', '--new-session', '--unshare-all', '--hostname', 'sandbox'];
  if (plan.network) args.push('--share-net');
  if (plan.asRoot) args.push('--cap-drop', 'ALL');

  const mounts: Array<{ path: string; flag: '--ro-bind' | '--bind' }> = [];
  for (const path of SYSTEM_PATHS) {
    const kind = describe(path);
    if (kind.type === 'symlink') args.push('--symlink', kind.target, path);
    else if (kind.type !== 'missing') mounts.push({ path, flag: '--ro-bind' });
  }
  for (const entry of ETC_ENTRIES) {
    const path = `/etc/${entry}`;
    if (describe(path).type !== 'missing') mounts.push({ path, flag: '--ro-bind' });
  }
  for (const path of plan.readOnly) mounts.push({ path: posix.normalize(path), flag: '--ro-bind' });
  for (const path of plan.writable) mounts.push({ path: posix.normalize(path), flag: '--bind' });

  // Parents before children, so a writable workspace inside a read-only tree stays writable.
  const seen = new Set<string>();
  mounts
    .sort((a, b) => depth(a.path) - depth(b.path) || (a.flag === b.flag ? 0 : a.flag === '--ro-bind' ? -1 : 1))
    .forEach(({ path, flag }) => {
      const key = `${flag} ${path}`;
      if (seen.has(key)) return;
      seen.add(key);
      args.push(flag, path, path);
    });

  args.push('--proc', '/proc', '--dev', '/dev', '--remount-ro', '/', '--chdir', plan.cwd);
  return args;
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}
