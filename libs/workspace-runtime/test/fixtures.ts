import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Sandbox, type SandboxRunRequest } from '@autocode/sandbox';
import { WorkspaceRuntime, type PreparedWorkspace, type PrepareResult } from '../src';

const execFileAsync = promisify(execFile);

/**
 * Fixture repositories written by the tests, their lockfiles made by the
 * real managers from the real npm registry. Managers, Node.js majors and
 * downloads are cached across tests and runs (a rerun is warm); every test
 * gets its own tree cache, so its first prepare is cold.
 */
export const SHARED_CACHE_DIR = process.env.WORKSPACE_TEST_CACHE_DIR || join(homedir(), '.cache', 'autocode', 'test-workspace');

export interface RuntimeUnderTest {
  runtime: WorkspaceRuntime;
  /** Every sandbox run the runtime asked for, in order. */
  runs: SandboxRunRequest[];
  treeCacheDir: string;
  remove(): void;
}

let sandboxPromise: Promise<Sandbox> | undefined;
/** The real sandbox; bubblewrap is required on test hosts, as in the service images. */
export function realSandbox(): Promise<Sandbox> {
  sandboxPromise ??= Sandbox.create({ mode: 'bubblewrap' });
  return sandboxPromise;
}

export async function runtimeUnderTest(): Promise<RuntimeUnderTest> {
  const sandbox = await realSandbox();
  const runs: SandboxRunRequest[] = [];
  // Observes the real sandbox (it still runs everything); lets a test see that a warm prepare ran nothing.
  const observed = new Proxy(sandbox, {
    get(target, property, receiver) {
      if (property === 'run') return (request: SandboxRunRequest) => (runs.push(request), target.run(request));
      return Reflect.get(target, property, receiver);
    },
  });
  const treeCacheDir = mkdtempSync(join(tmpdir(), 'wsr-trees-'));
  return { runtime: new WorkspaceRuntime(observed, { cacheDir: SHARED_CACHE_DIR, treeCacheDir }), runs, treeCacheDir, remove: () => rmSync(treeCacheDir, { recursive: true, force: true }) };
}

const created: string[] = [];
export function removeFixtures(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A repository in a fresh temp dir with these files (objects become JSON). */
export function writeRepo(files: Record<string, string | object>, label = 'repo'): string {
  const dir = mkdtempSync(join(tmpdir(), `wsr-${label}-`));
  created.push(dir);
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string | object>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
}

/** Another checkout of the same repository (what the next task gets). */
export function copyRepo(dir: string, label = 'copy'): string {
  const copy = mkdtempSync(join(tmpdir(), `wsr-${label}-`));
  created.push(copy);
  cpSync(dir, copy, { recursive: true, filter: (source) => !source.includes('/node_modules') });
  return copy;
}

/** The fixture's own lockfile, written by the host's npm (the fixture is the test's code, not a target's). */
export async function npmLockfile(dir: string): Promise<void> {
  await execFileAsync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--cache', join(SHARED_CACHE_DIR, 'npm-cache')], { cwd: dir });
}

export async function pnpmLockfile(dir: string, runtime: WorkspaceRuntime): Promise<void> {
  const pnpm = await runtime.toolchains.manager({ name: 'pnpm', versionSpec: '9', source: 'test', warnings: [] });
  await execFileAsync(process.execPath, [pnpm.entry, 'install', '--lockfile-only', '--ignore-scripts', '--store-dir', join(SHARED_CACHE_DIR, 'pnpm-store')], { cwd: dir });
}

export async function yarnClassicLockfile(dir: string, runtime: WorkspaceRuntime): Promise<void> {
  const yarn = await runtime.toolchains.manager({ name: 'yarn', flavor: 'classic', versionSpec: '1', source: 'test', warnings: [] });
  await execFileAsync(process.execPath, [yarn.entry, 'install', '--ignore-scripts', '--non-interactive', '--cache-folder', join(SHARED_CACHE_DIR, 'yarn-classic-cache')], { cwd: dir });
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
}

/** A Yarn 2+ lockfile, written by Yarn 4 from the registry (`--mode=update-lockfile`: nothing installed). */
export async function yarnBerryLockfile(dir: string, runtime: WorkspaceRuntime, version: string): Promise<void> {
  const yarn = await runtime.toolchains.manager({ name: 'yarn', flavor: 'berry', versionSpec: version, source: 'test', warnings: [] });
  await execFileAsync(process.execPath, [yarn.entry, 'install', '--mode=update-lockfile'], {
    cwd: dir,
    env: { ...process.env, YARN_GLOBAL_FOLDER: join(SHARED_CACHE_DIR, 'yarn-berry'), YARN_ENABLE_TELEMETRY: '0' },
  });
  rmSync(join(dir, '.yarn'), { recursive: true, force: true });
}

export async function npmPack(dir: string, into: string): Promise<string> {
  const { stdout } = await execFileAsync('npm', ['pack', '--pack-destination', into, '--cache', join(SHARED_CACHE_DIR, 'npm-cache')], { cwd: dir });
  return stdout.trim().split('\n').at(-1)!;
}

export function prepared(result: PrepareResult): PreparedWorkspace {
  if (!result.ok) throw new Error(`prepare failed: ${result.failure.kind}: ${result.failure.message}\n${result.failure.excerpt ?? ''}`);
  return result;
}

export const CHECK_TIMEOUT_MS = 120_000;
