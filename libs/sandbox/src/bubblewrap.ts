import { lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';

/**
 * Arguments for bubblewrap (bwrap): a new mount, PID, network, IPC and UTS
 * namespace whose root is an empty, read-only tmpfs. Into it go the system
 * directories and the toolchain, read-only, and the workspace and a scratch
 * directory, writable. Nothing else of the host exists inside: not the
 * service's configuration, not other workspaces, not /root or /home, and
 * not the service's /proc (its environment included): a fresh /proc of the
 * sandbox's own PID namespace is mounted.
 *
 * `--die-with-parent` and the PID namespace together mean no process of the
 * run outlives it: when the run's first process ends, or the service dies
 * (even by SIGKILL), the namespace's init goes and the kernel kills every
 * process left in it — a double-forked, setsid'd daemon included.
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

/**
 * What a root service keeps for the launcher inside the sandbox (see
 * launcher.ts): enough to switch to the run's own unprivileged uid
 * (SETUID, SETGID, SETPCAP to empty the bounding set) and to keep the
 * file access a root service's workspaces need (DAC_OVERRIDE, FOWNER —
 * over the few paths that are mounted at all). The launcher drops the
 * first three before the command starts.
 */
export const ROOT_LAUNCH_CAPABILITIES = ['CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER'] as const;

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
  /**
   * Whether bwrap runs as root. Then no user namespace is made (it would map
   * the run to uid 0, which RLIMIT_NPROC never limits): bwrap keeps only
   * ROOT_LAUNCH_CAPABILITIES and the launcher switches to the run's own uid.
   * Otherwise a user namespace is made and every capability dropped.
   */
  asRoot: boolean;
  /** Files bound read-only over entries of /etc (a passwd that names the run's uid). */
  etcFiles?: Record<string, string>;
}

export function bubblewrapArgs(plan: BubblewrapPlan, describe: (path: string) => PathKind = describePath): string[] {
  const args = ['--die-with-parent', '--new-session', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--hostname', 'sandbox'];
  if (!plan.network) args.push('--unshare-net');
  if (plan.asRoot) {
    args.push('--cap-drop', 'ALL');
    for (const capability of ROOT_LAUNCH_CAPABILITIES) args.push('--cap-add', capability);
  } else {
    args.push('--unshare-user', '--cap-drop', 'ALL');
  }

  const mounts: Array<{ path: string; flag: '--ro-bind' | '--bind'; source?: string }> = [];
  for (const path of SYSTEM_PATHS) {
    const kind = describe(path);
    if (kind.type === 'symlink') args.push('--symlink', kind.target, path);
    else if (kind.type !== 'missing') mounts.push({ path, flag: '--ro-bind' });
  }
  const etcFiles = plan.etcFiles ?? {};
  for (const entry of ETC_ENTRIES) {
    const path = `/etc/${entry}`;
    if (etcFiles[path]) mounts.push({ path, flag: '--ro-bind', source: etcFiles[path] });
    else if (describe(path).type !== 'missing') mounts.push({ path, flag: '--ro-bind' });
  }
  for (const path of plan.readOnly) mounts.push({ path: posix.normalize(path), flag: '--ro-bind' });
  for (const path of plan.writable) mounts.push({ path: posix.normalize(path), flag: '--bind' });

  // Parents before children, so a writable workspace inside a read-only tree stays writable.
  const seen = new Set<string>();
  mounts
    .sort((a, b) => depth(a.path) - depth(b.path) || (a.flag === b.flag ? 0 : a.flag === '--ro-bind' ? -1 : 1))
    .forEach(({ path, flag, source }) => {
      const key = `${flag} ${path}`;
      if (seen.has(key)) return;
      seen.add(key);
      args.push(flag, source ?? path, path);
    });

  args.push('--proc', '/proc', '--dev', '/dev', '--remount-ro', '/', '--chdir', plan.cwd);
  return args;
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}
