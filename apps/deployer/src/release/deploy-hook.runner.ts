import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { redactHookOutput } from './hook-env';
import type { HookUser } from './hook-user';

export interface HookInvocation {
  command: string;
  cwd: string;
  /** The whole environment of the hook: nothing else of the deployer's leaks in (see hookEnvironment). */
  env: Record<string, string>;
  /** Run as this user (DEPLOY_HOOK_USER) instead of the deployer's. */
  user?: HookUser;
  timeoutMs: number;
  /** Output goes to this file (appended), not to a pipe: a service the hook starts in the background keeps writing safely. */
  logFile: string;
  signal: AbortSignal;
}

export interface HookResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** The last few KiB of the hook's output. */
  outputTail: string;
}

const KILL_GRACE_MS = 5000;
const TAIL_BYTES = 4096;

/**
 * Runs an environment's deploy hook with /bin/sh in its own process group:
 * a time limit (then SIGTERM, then SIGKILL to the whole group), output
 * captured to a log file, and completion on the shell's exit — a server the
 * hook started in the background is the deployment, not a hang.
 */
export function runHook(invocation: HookInvocation): Promise<HookResult> {
  const started = performance.now();
  const fd = openSync(invocation.logFile, 'a');
  return new Promise<HookResult>((resolve, reject) => {
    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn('/bin/sh', ['-c', invocation.command], {
      cwd: invocation.cwd,
      env: invocation.env,
      ...(invocation.user ? { uid: invocation.user.uid, gid: invocation.user.gid } : {}),
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const stopGroup = () => {
      signalGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stopGroup();
    }, invocation.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stopGroup();
    };
    invocation.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      clearTimeout(timer);
      invocation.signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      invocation.signal.removeEventListener('abort', onAbort);
      void readTail(invocation.logFile).then((outputTail) =>
        resolve({ exitCode: code, signal, timedOut, aborted, durationMs: performance.now() - started, outputTail }),
      );
    });
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

async function readTail(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Why the hook failed, for records, task errors and notifications: its last line of output with `secrets` (what it was given) redacted. */
export function describeHookFailure(result: HookResult, timeoutMs: number, secrets: readonly string[] = []): string | undefined {
  if (result.timedOut) return `hook timed out after ${Math.round(timeoutMs / 1000)} s`;
  if (result.aborted) return 'hook stopped: the deployment was aborted';
  if (result.exitCode !== 0) return `hook exited with ${result.exitCode ?? result.signal}${lastLine(redactHookOutput(result.outputTail, secrets))}`;
  return undefined;
}

function lastLine(output: string): string {
  const line = output.trim().split('\n').pop()?.trim();
  return line ? `: ${line.slice(0, 300)}` : '';
}
