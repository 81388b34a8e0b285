import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { bubblewrapArgs } from './bubblewrap';
import { classifyExit, describeExit, type SandboxExitReason } from './exit-reason';
import { identityFiles, launcherArgv, type LauncherTools, runIdentity, type RunIdentity, type RunLimits } from './launcher';
import type { SANDBOX_MODES } from './sandbox.config';
import { DEFAULT_PATH, sandboxEnv } from './sandbox-env';

/** See sandbox.config.ts for what each mode means. */
export type IsolationMode = (typeof SANDBOX_MODES)[number];
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
  defaultMaxProcesses?: number;
  defaultMaxFileSizeMb?: number;
}

export interface SandboxStatus {
  isolation: Isolation;
  /** Whether an OS-level sandbox (namespaces, read-only root) is in force. */
  osSandbox: boolean;
  /** Whether runs are allowed at all: with bubblewrap, or without it only in `unsafe-rlimits` mode. */
  runsAllowed: boolean;
  /** Runs happen without an OS sandbox (`unsafe-rlimits`): repository code can see the host. */
  unsafe: boolean;
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
  /** Processes and threads the run may have at once (RLIMIT_NPROC under the run's own uid). */
  maxProcesses?: number;
  /** Largest file the run may write (RLIMIT_FSIZE). */
  maxFileSizeMb?: number;
  /** Variables to add to the scrubbed environment; secret-looking names are refused. */
  env?: Record<string, string>;
  stdin?: string | Buffer;
  /** Other writable directories. HOME and TMPDIR point at a fresh scratch directory unless `scratchDir` is given. */
  writablePaths?: string[];
  /** A writable directory to use as HOME and TMPDIR (kept; the caller owns it). */
  scratchDir?: string;
  /** Other readable paths, for this run only. */
  readOnlyPaths?: string[];
  /** Keep the host network (bubblewrap only; off by default): only for steps that need the package registry. */
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

/** Refusal to run repository code without an OS sandbox (mode `auto` without a usable bubblewrap, or `rlimits`). */
export class SandboxUnavailableError extends Error {
  constructor(readonly detail: string) {
    super(
      `refusing to run repository code: no OS sandbox (${detail}). Install bubblewrap and give it what it needs (see libs/sandbox/README.md), ` +
        'or set SANDBOX_MODE=unsafe-rlimits to run it without isolation on a development host',
    );
    this.name = 'SandboxUnavailableError';
  }
}

const DEFAULT_MEMORY_MB = 1024;
const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
/** Processes and threads: Node.js has about a dozen threads, a test runner a few workers of it. */
const DEFAULT_MAX_PROCESSES = 512;
const DEFAULT_MAX_FILE_SIZE_MB = 1024;
/** After the main process exits, how long its stdio may stay open (a leftover child) before we stop reading. */
const CLOSE_GRACE_MS = 2000;
/**
 * V8's heap gets this share of the memory limit, less at least
 * NODE_HEAP_HEADROOM_MB for what V8 and Node.js allocate outside it, so a
 * Node.js hog stops at the heap limit with a clear message rather than
 * dying on a failed allocation somewhere (measured on Node.js 20: 64 MB of
 * headroom is too little, 96 MB enough).
 */
const NODE_HEAP_SHARE = 0.75;
const NODE_HEAP_HEADROOM_MB = 96;

/**
 * Runs untrusted commands — generators, a target repository's type check,
 * tests and linters, the planner's ESLint/Prettier over the target's
 * configuration — with a scrubbed environment, limits on time (the whole
 * process tree is killed), memory, processes and file size, and, with
 * bubblewrap, no view of the host beyond the system directories, the
 * toolchain and the workspace (read-only root, no network, own PID
 * namespace and /proc, its own unprivileged uid when the service is root).
 * Without bubblewrap it refuses to run anything unless the mode is
 * `unsafe-rlimits`, and says so in `status`.
 */
export class Sandbox {
  private readonly logger = new Logger(Sandbox.name);

  private constructor(
    readonly status: SandboxStatus,
    private readonly bwrapPath: string | undefined,
    private readonly tools: LauncherTools | undefined,
    private readonly options: SandboxOptions,
  ) {}

  /** Detects what isolation this host offers and logs it. */
  static async create(options: SandboxOptions = {}): Promise<Sandbox> {
    const mode = options.mode ?? 'auto';
    const logger = new Logger(Sandbox.name);
    const tools = findLauncherTools();
    if (mode === 'rlimits' || mode === 'unsafe-rlimits') {
      const unsafe = mode === 'unsafe-rlimits';
      if (unsafe && !tools.ok) throw new Error(`SANDBOX_MODE=unsafe-rlimits needs ${tools.detail}`);
      const detail = unsafe ? 'UNSAFE: bubblewrap disabled by SANDBOX_MODE=unsafe-rlimits' : 'bubblewrap disabled by SANDBOX_MODE=rlimits';
      const sandbox = new Sandbox({ isolation: 'rlimits', osSandbox: false, runsAllowed: unsafe, unsafe, detail }, undefined, tools.ok ? tools.tools : undefined, options);
      if (unsafe) logger.warn({ msg: 'UNSAFE SANDBOX: repository code runs WITHOUT an OS sandbox (resource limits and scrubbed environment only)', detail });
      else logger.error({ msg: 'no OS sandbox: every run of repository code will be refused', detail });
      return sandbox;
    }
    const probe = tools.ok ? await probeBubblewrap(options.bwrapPath, tools.tools) : { ok: false as const, detail: tools.detail };
    if (probe.ok) {
      const sandbox = new Sandbox({ isolation: 'bubblewrap', osSandbox: true, runsAllowed: true, unsafe: false, detail: probe.detail }, probe.path, tools.ok ? tools.tools : undefined, options);
      logger.log({ msg: 'OS sandbox active', isolation: 'bubblewrap', detail: probe.detail });
      return sandbox;
    }
    if (mode === 'bubblewrap') throw new Error(`bubblewrap was required but cannot be used: ${probe.detail}`);
    logger.error({ msg: 'no OS sandbox: every run of repository code will be refused (SANDBOX_MODE=unsafe-rlimits would run it unisolated)', detail: probe.detail });
    return new Sandbox({ isolation: 'rlimits', osSandbox: false, runsAllowed: false, unsafe: false, detail: probe.detail }, undefined, undefined, options);
  }

  /**
   * Runs one command. Rejects only for a request it will not run: a bad
   * one (cwd not a directory, a forbidden env name) or any request when
   * there is no OS sandbox (SandboxUnavailableError); what the process
   * does is in the result.
   */
  async run(request: SandboxRunRequest): Promise<SandboxRunResult> {
    if (!this.status.runsAllowed || !this.tools) throw new SandboxUnavailableError(this.status.detail);
    const cwd = checkDirectory(request.cwd, 'cwd');
    const limits: RunLimits = {
      memoryMb: request.memoryMb ?? this.options.defaultMemoryMb ?? DEFAULT_MEMORY_MB,
      maxProcesses: request.maxProcesses ?? this.options.defaultMaxProcesses ?? DEFAULT_MAX_PROCESSES,
      maxFileSizeMb: request.maxFileSizeMb ?? this.options.defaultMaxFileSizeMb ?? DEFAULT_MAX_FILE_SIZE_MB,
    };
    const maxOutputBytes = request.maxOutputBytes ?? this.options.defaultMaxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const writable = [cwd, ...(request.writablePaths ?? []).map((p) => checkDirectory(p, 'writablePaths'))];
    const ownScratch = request.scratchDir === undefined;
    const scratchDir = request.scratchDir ? checkDirectory(request.scratchDir, 'scratchDir') : await mkdtemp(join(tmpdir(), 'autocode-sbx-'));
    const asRoot = process.getuid?.() === 0;
    const identity = asRoot ? runIdentity() : undefined;
    let identityDir: string | undefined;
    try {
      const nodeDir = dirname(process.execPath);
      const env = sandboxEnv({
        scratchDir,
        extra: request.env,
        nodeHeapMb: Math.min(limits.memoryMb * NODE_HEAP_SHARE, limits.memoryMb - NODE_HEAP_HEADROOM_MB),
        path: [nodeDir, ...DEFAULT_PATH.split(delimiter).filter((p) => p !== nodeDir)],
      });
      const launched = launcherArgv(this.tools, request.command, request.args ?? [], limits, identity);
      let file = launched[0];
      let args = launched.slice(1);
      if (this.status.isolation === 'bubblewrap') {
        identityDir = identity ? await mkdtemp(join(tmpdir(), 'autocode-sbx-id-')) : undefined;
        file = this.bwrapPath!;
        args = [
          ...bubblewrapArgs({
            cwd,
            writable: [...writable, scratchDir],
            readOnly: [...toolchainPaths(), ...(this.options.readOnlyPaths ?? []), ...(request.readOnlyPaths ?? [])].filter((p) => existsSync(p)),
            network: request.network ?? false,
            asRoot,
            etcFiles: identity && identityDir ? await writeIdentityFiles(identityDir, identity, scratchDir) : undefined,
          }),
          '--',
          ...launched,
        ];
      }
      return await this.spawnAndWait(file, args, { ...request, cwd }, env, { ...limits, maxOutputBytes });
    } finally {
      // `force` ignores what is already gone; anything else (a busy or unwritable dir) only leaks a temp dir: say so, go on.
      for (const dir of [ownScratch ? scratchDir : undefined, identityDir]) {
        if (dir) await rm(dir, { recursive: true, force: true }).catch((error: Error) => this.logger.warn({ msg: 'could not remove a sandbox temp dir', dir, err: error.message }));
      }
    }
  }

  private spawnAndWait(
    file: string,
    args: string[],
    request: SandboxRunRequest,
    env: Record<string, string>,
    limits: RunLimits & { maxOutputBytes: number },
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
        result.summary = describeExit(result, { timeoutMs: request.timeoutMs, ...limits });
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

async function probeBubblewrap(configured: string | undefined, tools: LauncherTools): Promise<{ ok: true; path: string; detail: string } | { ok: false; detail: string }> {
  const path = configured ?? findOnPath('bwrap');
  if (!path) return { ok: false, detail: 'bwrap not found on PATH (install bubblewrap: apt-get install -y bubblewrap)' };
  const version = await execute(path, ['--version']);
  const dir = await mkdtemp(join(tmpdir(), 'autocode-sbx-probe-'));
  try {
    // A real trial of what every run does (namespaces, fresh /proc, limits, own uid): some hosts
    // (containers without user namespaces, or with a masked /proc) ship bwrap but forbid what it needs.
    const asRoot = process.getuid?.() === 0;
    const identity = asRoot ? runIdentity() : undefined;
    const trial = await execute(path, [
      ...bubblewrapArgs({ cwd: dir, writable: [dir], readOnly: [], network: false, asRoot, etcFiles: identity ? await writeIdentityFiles(dir, identity, dir) : undefined }),
      '--',
      ...launcherArgv(tools, '/bin/sh', ['-c', 'echo ok > probe && cat probe'], { memoryMb: 256, maxProcesses: 64, maxFileSizeMb: 1 }, identity),
    ]);
    if (trial.code !== 0 || trial.stdout.trim() !== 'ok') {
      return { ok: false, detail: `bwrap at ${path} cannot create a sandbox here: ${(trial.stderr || trial.stdout).trim().slice(0, 300)}` };
    }
    return { ok: true, path, detail: `${version.stdout.trim() || 'bubblewrap'} at ${path}${asRoot ? ', each run under its own uid' : ''}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** prlimit and setpriv (util-linux) start every command under its limits (see launcher.ts). */
function findLauncherTools(): { ok: true; tools: LauncherTools } | { ok: false; detail: string } {
  const prlimit = findOnPath('prlimit');
  const setpriv = findOnPath('setpriv');
  if (!prlimit || !setpriv) return { ok: false, detail: `${!prlimit ? 'prlimit' : 'setpriv'} not found on PATH (install util-linux)` };
  return { ok: true, tools: { prlimit, setpriv } };
}

async function writeIdentityFiles(dir: string, identity: RunIdentity, home: string): Promise<Record<string, string>> {
  const files = identityFiles(identity, home);
  const passwd = join(dir, 'passwd');
  const group = join(dir, 'group');
  await writeFile(passwd, files.passwd, { mode: 0o644 });
  await writeFile(group, files.group, { mode: 0o644 });
  return { '/etc/passwd': passwd, '/etc/group': group };
}

function findOnPath(name: string): string | undefined {
  for (const dir of `${process.env.PATH ?? ''}${delimiter}${DEFAULT_PATH}`.split(delimiter).filter(Boolean)) {
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
