/**
 * Why a sandboxed process ended:
 * - `exited`: on its own, with `exitCode` (0 or not);
 * - `time-limit`: it ran past `timeoutMs` and its whole process tree was killed;
 * - `memory-limit`: it ran out of the memory it was allowed;
 * - `process-limit`: it failed because it could not start more processes or threads (a fork bomb);
 * - `file-size-limit`: it wrote a file past the largest size allowed;
 * - `aborted`: the caller's AbortSignal fired (a stop order) and the tree was killed;
 * - `signal`: something else killed it (`signal` says what);
 * - `spawn-failed`: it never started (no such command …).
 */
export type SandboxExitReason = 'exited' | 'time-limit' | 'memory-limit' | 'process-limit' | 'file-size-limit' | 'aborted' | 'signal' | 'spawn-failed';

/**
 * What an allocation failure under RLIMIT_DATA looks like from the inside:
 * V8's fatal heap errors, failed ArrayBuffer allocations, libc's ENOMEM,
 * Python's MemoryError, C++'s bad_alloc.
 */
const OUT_OF_MEMORY =
  /(JavaScript heap out of memory|Reached heap limit|Array buffer allocation failed|Cannot allocate memory|ENOMEM|out of memory|MemoryError|std::bad_alloc|memory allocation of \d+ bytes failed)/i;

/** A fork or thread creation refused under RLIMIT_NPROC, as shells, Node.js and libc report it. */
const OUT_OF_PROCESSES = /(Cannot fork|fork: (retry: )?Resource temporarily unavailable|spawn \S+ EAGAIN|fork failed|pthread_create|uv_thread_create|Resource temporarily unavailable.*(fork|thread)|(fork|thread).*Resource temporarily unavailable)/i;

/** A write refused under RLIMIT_FSIZE (when SIGXFSZ is ignored the write fails with EFBIG). */
const FILE_TOO_LARGE = /(EFBIG|File too large|File size limit exceeded)/i;

export interface ExitFacts {
  exitCode: number | null;
  signal: string | null;
  /** We killed the tree because its time ran out. */
  timedOut: boolean;
  /** We killed the tree because the caller aborted. */
  aborted: boolean;
  stderr: string;
}

/** Whether `text` (an error message, a stderr tail) says an allocation failed. */
export function isOutOfMemoryMessage(text: string): boolean {
  return OUT_OF_MEMORY.test(text);
}

export function classifyExit(facts: ExitFacts): SandboxExitReason {
  if (facts.timedOut) return 'time-limit';
  if (facts.aborted) return 'aborted';
  // bubblewrap passes a signal death on as exit code 128 + signal number (SIGXFSZ is 25).
  if (facts.signal === 'SIGXFSZ' || facts.exitCode === 128 + 25) return 'file-size-limit';
  const failed = facts.signal !== null || (facts.exitCode ?? 0) !== 0;
  // Only the end of stderr: a program that merely prints "out of memory" and succeeds did not hit the limit.
  const tail = facts.stderr.slice(-8192);
  if (failed && OUT_OF_MEMORY.test(tail)) return 'memory-limit';
  if (failed && OUT_OF_PROCESSES.test(tail)) return 'process-limit';
  if (failed && FILE_TOO_LARGE.test(tail)) return 'file-size-limit';
  if (facts.signal !== null) return 'signal';
  return 'exited';
}

/** A one-line, human explanation of a result, for task failures and logs. */
export function describeExit(
  result: { reason: SandboxExitReason; exitCode: number | null; signal: string | null },
  limits: { timeoutMs: number; memoryMb: number; maxProcesses?: number; maxFileSizeMb?: number },
): string {
  switch (result.reason) {
    case 'time-limit':
      return `killed by the sandbox: time limit of ${limits.timeoutMs} ms exceeded`;
    case 'memory-limit':
      return `stopped by the sandbox: memory limit of ${limits.memoryMb} MB exceeded`;
    case 'process-limit':
      return `stopped by the sandbox: process limit${limits.maxProcesses ? ` of ${limits.maxProcesses}` : ''} reached (processes and threads)`;
    case 'file-size-limit':
      return `stopped by the sandbox: file size limit${limits.maxFileSizeMb ? ` of ${limits.maxFileSizeMb} MB` : ''} exceeded`;
    case 'aborted':
      return 'killed by the sandbox: the run was aborted';
    case 'signal':
      return `killed by signal ${result.signal}`;
    case 'spawn-failed':
      return 'the command could not be started';
    case 'exited':
      return `exited with code ${result.exitCode}`;
  }
}
