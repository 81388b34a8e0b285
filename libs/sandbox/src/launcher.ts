import { randomInt } from 'node:crypto';

/**
 * The command line that starts a sandboxed command under its limits:
 * `prlimit` sets the resource limits (soft and hard, so the command cannot
 * raise them), then — when the service is root — `setpriv` switches to the
 * run's own unprivileged uid, and execs the command.
 *
 * Why a uid of its own: RLIMIT_NPROC counts the processes of a uid and
 * never limits uid 0, so a fork bomb run as root is bounded by nothing.
 * Under a fresh uid nothing else runs, so the limit is exactly this run's
 * process (and thread) count. The command keeps DAC_OVERRIDE and FOWNER
 * (and nothing else, bounding set included) so it still reads and writes
 * the root-owned workspace it was given; there is nothing else to reach,
 * since only the workspace, the scratch directory and read-only paths are
 * mounted (and /proc/sys is read-only in bubblewrap's /proc). The
 * securebit no_setuid_fixup keeps them effective for access(2) too, which
 * otherwise drops every capability of a non-root caller (existsSync on a
 * file in a mode-700 workspace would say it is not there).
 */

export interface RunLimits {
  /** RLIMIT_DATA: heap and private writable mappings of each process. */
  memoryMb: number;
  /** RLIMIT_NPROC: processes and threads of the run, together. */
  maxProcesses: number;
  /** RLIMIT_FSIZE: the largest file the run may write (past it: SIGXFSZ / EFBIG). */
  maxFileSizeMb: number;
}

export interface RunIdentity {
  uid: number;
  gid: number;
}

export interface LauncherTools {
  prlimit: string;
  setpriv: string;
}

/** Capabilities the command keeps when the service is root (see above). */
const KEPT = '+dac_override,+fowner';

/** A uid no account and no other run uses: random in [2^20, 2^31 - 2]. */
export function runIdentity(): RunIdentity {
  const id = randomInt(2 ** 20, 2 ** 31 - 1);
  return { uid: id, gid: id };
}

export function launcherArgv(tools: LauncherTools, command: string, args: string[], limits: RunLimits, identity?: RunIdentity): string[] {
  const mb = 1024 * 1024;
  const argv = [
    tools.prlimit,
    `--data=${Math.floor(limits.memoryMb * mb)}`,
    `--nproc=${limits.maxProcesses}`,
    `--fsize=${Math.floor(limits.maxFileSizeMb * mb)}`,
    '--core=0',
    '--',
  ];
  if (identity) {
    argv.push(
      tools.setpriv,
      `--reuid=${identity.uid}`,
      `--regid=${identity.gid}`,
      '--clear-groups',
      '--securebits=+no_setuid_fixup',
      `--inh-caps=-all,${KEPT}`,
      `--ambient-caps=-all,${KEPT}`,
      `--bounding-set=-all,${KEPT}`,
      '--',
    );
  }
  argv.push(command, ...args);
  return argv;
}

/** /etc/passwd and /etc/group naming the run's uid, so tools that look the user up (os.userInfo, git, npm) find one. */
export function identityFiles(identity: RunIdentity, home: string): { passwd: string; group: string } {
  return {
    passwd: `root:x:0:0:root:/nonexistent:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nsandbox:x:${identity.uid}:${identity.gid}:sandbox:${home}:/bin/sh\n`,
    group: `root:x:0:\nnogroup:x:65534:\nsandbox:x:${identity.gid}:\n`,
  };
}
