/**
 * Why a sandboxed process ended:
 * - `exited`: on its own, with `exitCode` (0 or not);
 * - `time-limit`: it ran past `timeoutMs` and its whole process tree was killed;
 * - `memory-limit`: it ran out of the memory it was allowed;
 * - `aborted`: the caller's AbortSignal fired (a stop order) and the tree was killed;
 * - `signal`: something else killed it (`signal` says what);
 * - `spawn-failed`: it never started (no such command …).
 */
export type SandboxExitReason = 'exited' | 'time-limit' | 'memory-limit' | 'aborted' | 'signal' | 'spawn-failed';

/**
 * What an allocation failure under RLIMIT_DATA looks like from the inside:
 * V8's fatal heap errors, failed ArrayBuffer allocations, libc's ENOMEM,
 * Python's MemoryError, C++'s bad_alloc.
 */
const OUT_OF_MEMORY =
  /(JavaScript heap out of memory|Reached heap limit|Array buffer allocation failed|Cannot allocate memory|ENOMEM|out of memory|MemoryError|std::bad_alloc|memory allocation of \d+ bytes failed)/i;

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
  const failed = facts.signal !== null || (facts.exitCode ?? 0) !== 0;
  // Only the end of stderr: a program that merely prints "out of memory" and succeeds did not hit the limit.
  if (failed && OUT_OF_MEMORY.test(facts.stderr.slice(-8192))) return 'memory-limit';
  if (facts.signal !== null) return 'signal';
  return 'exited';
}

/** A one-line, human explanation of a result, for task failures and logs. */
export function describeExit(result: { reason: SandboxExitReason; exitCode: number | null; signal: string | null }, limits: { timeoutMs: number; memoryMb: number }): string {
  switch (result.reason) {
    case 'time-limit':
      return `killed by the sandbox: time limit of ${limits.timeoutMs} ms exceeded`;
    case 'memory-limit':
      return `stopped by the sandbox: memory limit of ${limits.memoryMb} MB exceeded`;
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
