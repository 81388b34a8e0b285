import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { bubblewrapArgs } from './bubblewrap';
import { classifyExit, describeExit, type SandboxExitReason } from './exit-reason';
import { DEFAULT_PATH, sandboxEnv } from './sandbox-env';

/**
 * - `auto`: bubblewrap when it is installed and works here, else rlimits;
 * - `bubblewrap`: bubblewrap or refuse to start;
 * - `rlimits`: never bubblewrap (resource limits, scrubbed env and cwd only).
 */
export type IsolationMode = 'auto' | 'bubblewrap' | 'rlimits';
export type Isolation = 'bubblewrap' | 'rlimits';

export interface SandboxOptions {
  mode?: IsolationMode;
  /** Path of the bwrap binary; looked up on PATH when absent. */
  bwrapPath?: string;
  /** Read-only paths every run may read besides the system (a toolchain, its node_modules). */
  readOnlyPaths?: string[];
  /** Defaults for runs that do not say. */
  defaultMemoryMb?: number;
  defaultMaxOutputBytes?: number;
}

export interface SandboxStatus {
  isolation: Isolation;
  /** Whether an OS-level sandbox (namespaces, read-only root) is in force. */
  osSandbox: boolean;
  /** What was found: the bwrap version, or why it is not used. */
  detail: string;
}

export interface SandboxRunRequest {
  /** Executable, resolved on the sandbox's PATH (which holds the running Node.js). */
  command: string;
  args?: string[];
  /** Working directory, absolute; always writable (the workspace). */
  cwd: string;
  /** Wall-clock limit; past it the whole process tree is killed. */
  timeoutMs: number;
  /** Data-segment limit per process, and the V8 heap cap of Node.js processes. */
  memoryMb?: number;
  /** Variables to add to the scrubbed environment; secret-looking names are refused. */
  env?: Record<string, string>;
  stdin?: string | Buffer;
  /** Other writable directories. HOME and TMPDIR point at a fresh scratch directory unless `scratchDir` is given. */
  writablePaths?: string[];
  /** A writable directory to use as HOME and TMPDIR (kept; the caller owns it). */
  scratchDir?: string;
  /** Other readable paths, for this run only. */
  readOnlyPaths?: string[];
  /** Keep the host network (bubblewrap only; off by default). */
  network?: boolean;
  /** Per stream; more output is dropped and `outputTruncated` set. */
  maxOutputBytes?: number;
  /** Aborting kills the process tree (reason `aborted`). */
  signal?: AbortSignal;
  /** Called with each complete line of stdout as it arrives (progress reports). */
  onStdoutLine?: (line: string) => void;
}

export interface SandboxRunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** The run passed its time limit and was killed. */
  timedOut: boolean;
  /** The sandbox killed the process tree (time limit or abort). */
  killed: boolean;
  reason: SandboxExitReason;
  /** A one-line explanation of `reason`, fit for a task failure. */
  summary: string;
  durationMs: number;
  isolation: Isolation;
  outputTruncated: boolean;
}

const DEFAULT_MEMORY_MB = 1024;
const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
/** After the main process exits, how long its stdio may stay open (a leftover child) before we stop reading. */
const CLOSE_GRACE_MS = 2000;
/** V8's heap gets this share of the memory limit, so a Node.js hog fails with a clear message. */
const NODE_HEAP_SHARE = 0.75;

/**
 * Runs untrusted commands — generators, a target repository's type check,
 * tests and linters — with a scrubbed environment, a time limit that kills
 * the whole process tree, a memory limit, and, where bubblewrap works, no
 * view of the host beyond the system directories, the toolchain and the
 * workspace (read-only root, no network, own PID namespace). Without
 * bubblewrap it falls back to rlimits, the scrubbed environment and the
 * working directory, and says so in `status`.
 */
export class Sandbox {
  private readonly logger = new Logger(Sandbox.name);

  private constructor(
    readonly status: SandboxStatus,
    private readonly bwrapPath: string | undefined,
    private readonly options: SandboxOptions,
  ) {}

  /** Detects what isolation this host offers and logs it. */
  static async create(options: SandboxOptions = {}): Promise<Sandbox> {
    const mode = options.mode ?? 'auto';
    const logger = new Logger(Sandbox.name);
    if (mode === 'rlimits') {
      const sandbox = new Sandbox({ isolation: 'rlimits', osSandbox: false, detail: 'bubblewrap disabled by configuration' }, undefined, options);
      logger.warn({ msg: 'OS sandbox not active: rlimits, scrubbed environment and working directory only', detail: sandbox.status.detail });
      return sandbox;
    }
    const probe = await probeBubblewrap(options.bwrapPath);
    if (probe.ok) {
      const sandbox = new Sandbox({ isolation: 'bubblewrap', osSandbox: true, detail: probe.detail }, probe.path, options);
      logger.log({ msg: 'OS sandbox active', isolation: 'bubblewrap', detail: probe.detail });
      return sandbox;
    }
    if (mode === 'bubblewrap') throw new Error(`bubblewrap was required but cannot be used: ${probe.detail}`);
    logger.warn({ msg: 'OS sandbox not active: falling back to rlimits, scrubbed environment and working directory', detail: probe.detail });
    return new Sandbox({ isolation: 'rlimits', osSandbox: false, detail: probe.detail }, undefined, options);
  }

  async run(request: SandboxRunRequest): Promise<SandboxRunResult> {
    const cwd = checkDirectory(request.cwd, 'cwd');
    const memoryMb = request.memoryMb ?? this.options.defaultMemoryMb ?? DEFAULT_MEMORY_MB;
    const maxOutputBytes = request.maxOutputBytes ?? this.options.defaultMaxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const ownScratch = request.scratchDir === undefined;
    const scratchDir = request.scratchDir ? checkDirectory(request.scratchDir, 'scratchDir') : await mkdtemp(join(tmpdir(), 'autocode-sbx-'));
    try {
      const nodeDir = dirname(process.execPath);
      const env = sandboxEnv({
        scratchDir,
        extra: request.env,
        nodeHeapMb: memoryMb * NODE_HEAP_SHARE,
        path: [nodeDir, ...DEFAULT_PATH.split(delimiter).filter((p) => p !== nodeDir)],
      });
      // ulimit in the shell that execs the command: RLIMIT_DATA (kB) caps each process's heap, no core dumps.
      const limited = ['/bin/sh', '-c', 'ulimit -d "$1" && ulimit -c 0 && shift && exec "$@"', 'sandbox', String(memoryMb * 1024), request.command, ...(request.args ?? [])];
      const [file, args] =
        this.status.isolation === 'bubblewrap'
          ? [
              this.bwrapPath!,
              [
                ...bubblewrapArgs({
                  cwd,
                  writable: [cwd, scratchDir, ...(request.writablePaths ?? []).map((p) => checkDirectory(p, 'writablePaths'))],
                  readOnly: [...toolchainPaths(), ...(this.options.readOnlyPaths ?? []), ...(request.readOnlyPaths ?? [])].filter((p) => existsSync(p)),
                  network: request.network ?? false,
                  asRoot: process.getuid?.() === 0,
                }),
                '--',
                ...limited,
              ],
            ]
          : [limited[0], limited.slice(1)];
      return await this.spawnAndWait(file, args, { ...request, cwd }, env, { memoryMb, maxOutputBytes });
    } finally {
      if (ownScratch) await rm(scratchDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private spawnAndWait(
    file: string,
    args: string[],
    request: SandboxRunRequest,
    env: Record<string, string>,
    limits: { memoryMb: number; maxOutputBytes: number },
  ): Promise<SandboxRunResult> {
    const started = performance.now();
    const isolation = this.status.isolation;
    return new Promise((resolvePromise) => {
      let timedOut = false;
      let aborted = false;
      let settled = false;
      let truncated = false;
      const stdout = new OutputBuffer(limits.maxOutputBytes, () => (truncated = true));
      const stderr = new OutputBuffer(limits.maxOutputBytes, () => (truncated = true));
      let pendingLine = '';
      let exit: { code: number | null; signal: string | null } | undefined;
      let graceTimer: NodeJS.Timeout | undefined;

      // detached: the child leads a new process group, so the whole tree can be killed at once.
      const child: ChildProcess = spawn(file, args, { cwd: request.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const killTree = () => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killTree();
      }, request.timeoutMs);
      const onAbort = () => {
        aborted = true;
        killTree();
      };
      if (request.signal?.aborted) onAbort();
      else request.signal?.addEventListener('abort', onAbort, { once: true });

      const finish = (spawnError?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(graceTimer);
        request.signal?.removeEventListener('abort', onAbort);
        // Leftovers of the group (a background child) go with the main process.
        killTree();
        if (pendingLine) request.onStdoutLine?.(pendingLine);
        const facts = {
          exitCode: exit?.code ?? null,
          signal: exit?.signal ?? null,
          timedOut,
          aborted,
          stderr: stderr.text(),
        };
        const reason = spawnError ? 'spawn-failed' : classifyExit(facts);
        const result: SandboxRunResult = {
          exitCode: facts.exitCode,
          signal: facts.signal,
          stdout: stdout.text(),
          stderr: spawnError ? `${stderr.text()}${spawnError.message}` : facts.stderr,
          timedOut,
          killed: timedOut || aborted,
          reason,
          summary: '',
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          isolation,
          outputTruncated: truncated,
        };
        result.summary = describeExit(result, { timeoutMs: request.timeoutMs, memoryMb: limits.memoryMb });
        if (reason !== 'exited') this.logger.warn({ msg: 'sandboxed process stopped', command: request.command, reason, summary: result.summary });
        resolvePromise(result);
      };

      child.stdout!.on('data', (chunk: Buffer) => {
        stdout.push(chunk);
        if (!request.onStdoutLine) return;
        const lines = (pendingLine + chunk.toString('utf8')).split('\n');
        pendingLine = lines.pop() ?? '';
        for (const line of lines) request.onStdoutLine(line);
      });
      child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.stdin!.on('error', () => undefined); // a child that never reads its stdin is not an error
      child.stdin!.end(request.stdin ?? '');
      child.on('error', (error) => finish(error));
      child.on('exit', (code, signal) => {
        exit = { code, signal };
        graceTimer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish();
        }, CLOSE_GRACE_MS);
      });
      child.on('close', () => finish());
    });
  }
}

class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly limit: number,
    private readonly onTruncate: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.size >= this.limit) return this.onTruncate();
    const room = this.limit - this.size;
    if (chunk.length > room) this.onTruncate();
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** The running Node.js installation, when it lives outside the system directories (nvm, /opt …). */
function toolchainPaths(): string[] {
  const prefix = dirname(dirname(process.execPath));
  return ['/usr', '/bin', '/sbin'].some((system) => prefix === system || prefix.startsWith(`${system}/`)) || prefix === '/' ? [] : [prefix];
}

function checkDirectory(path: string, what: string): string {
  if (!isAbsolute(path)) throw new Error(`${what} must be an absolute path: ${path}`);
  const resolved = resolve(path);
  if (!statSync(resolved, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${what} is not a directory: ${path}`);
  return resolved;
}

async function probeBubblewrap(configured?: string): Promise<{ ok: true; path: string; detail: string } | { ok: false; detail: string }> {
  const path = configured ?? findOnPath('bwrap');
  if (!path) return { ok: false, detail: 'bwrap not found on PATH (install bubblewrap: apt-get install -y bubblewrap)' };
  const version = await execute(path, ['--version']);
  const dir = await mkdtemp(join(tmpdir(), 'autocode-sbx-probe-'));
  try {
    // A real trial: some hosts (containers without user namespaces) ship bwrap but forbid what it needs.
    const trial = await execute(path, [
      ...bubblewrapArgs({ cwd: dir, writable: [dir], readOnly: [], network: false, asRoot: process.getuid?.() === 0 }),
      '--',
      '/bin/sh',
      '-c',
      'echo ok > probe && cat probe',
    ]);
    if (trial.code !== 0 || trial.stdout.trim() !== 'ok') {
      return { ok: false, detail: `bwrap at ${path} cannot create a sandbox here: ${(trial.stderr || trial.stdout).trim().slice(0, 300)}` };
    }
    return { ok: true, path, detail: `${version.stdout.trim() || 'bubblewrap'} at ${path}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? DEFAULT_PATH).split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function execute(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(file, args, { env: { PATH: DEFAULT_PATH }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', (error) => resolvePromise({ code: null, stdout, stderr: error.message }));
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
