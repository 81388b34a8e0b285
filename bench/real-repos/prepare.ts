/**
 * The workspace runtime on real repositories: for each git repository in a
 * folder, two fresh checkouts of its HEAD (as two tasks would get them),
 * then per repository: package manager and version, Node.js major, the
 * cold prepare (install from the registry into an empty tree cache) and the
 * warm one (the second checkout linked to the cached tree, symlinks and
 * copy), the checks discovered from package.json and each check's result
 * on the untouched base commit.
 *
 *   npx webpack --config tools/webpack/bench.config.js --env name=real-repos/prepare
 *   node dist/bench/real-repos/prepare.js /work/corpus [--check-timeout=300000] [--cache=<dir>] [--json=<file>] [--default-node=24]
 *
 * `--cache` defaults to a new temp dir, so the first prepare is truly cold
 * (managers, Node.js and every package from the registry); pass the shared
 * cache to measure a cold tree with warm downloads. `--default-node` is the
 * Node.js major for repositories that declare none (default: the running one).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox, WorkspaceManager, type EphemeralWorkspace } from '@autocode/sandbox';
import { WorkspaceRuntime, type CheckResult, type PrepareResult } from '@autocode/workspace-runtime';
import { argument, round } from '../stats';

const CHECK_TIMEOUT_MS = argument('check-timeout', 300_000);
const option = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

interface RepositoryReport {
  repository: string;
  commit: string;
  manager?: string;
  nodeMajor?: number;
  nodeSource?: string;
  coldMs?: number;
  warmSymlinkMs?: number;
  warmCopyMs?: number;
  installedCold?: string;
  installedWarm?: string;
  failure?: string;
  checks: Array<Pick<CheckResult, 'check' | 'status' | 'durationMs' | 'reason'> & { command: string; kind: string; lastLine: string }>;
  skippedChecks: string[];
  warnings: string[];
}

function describePrepare(result: PrepareResult): string {
  return result.ok ? `${result.installed} in ${result.durationMs} ms` : `${result.failure.kind}: ${result.failure.message}`;
}

async function benchRepository(path: string, runtime: WorkspaceRuntime, workspaces: WorkspaceManager): Promise<RepositoryReport> {
  const commit = execFileSync('git', ['-C', path, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const report: RepositoryReport = { repository: path, commit, checks: [], skippedChecks: [], warnings: [] };
  const opened: EphemeralWorkspace[] = [];
  try {
    const [first, second, third] = [await workspaces.create(path, commit), await workspaces.create(path, commit), await workspaces.create(path, commit)];
    opened.push(first, second, third);
    const cold = await runtime.prepare(first.root);
    console.log(`  cold: ${describePrepare(cold)}`);
    report.manager = cold.manager && `${cold.manager}${cold.ok && cold.managerFlavor ? ` (${cold.managerFlavor})` : ''}@${cold.managerVersion ?? '?'}`;
    report.nodeMajor = cold.nodeMajor;
    report.coldMs = cold.durationMs;
    if (!cold.ok) {
      report.failure = `${cold.failure.kind}: ${cold.failure.message}`;
      if (cold.failure.excerpt) console.log(cold.failure.excerpt.split('\n').slice(-8).map((l) => `    | ${l}`).join('\n'));
      return report;
    }
    report.installedCold = cold.installed;
    report.nodeSource = cold.nodeSource;
    report.warnings.push(...cold.warnings);
    const warm = await runtime.prepare(second.root);
    const copied = await runtime.prepare(third.root, { linkMode: 'copy' });
    console.log(`  warm (symlinks): ${describePrepare(warm)}; warm (copy): ${describePrepare(copied)}`);
    if (!warm.ok) return { ...report, failure: `warm: ${describePrepare(warm)}` };
    report.installedWarm = warm.installed;
    report.warmSymlinkMs = warm.durationMs;
    report.warmCopyMs = copied.durationMs;

    const discovery = await runtime.discoverChecks(warm);
    report.skippedChecks = discovery.skipped.map((s) => `${s.name} (${s.reason})`);
    report.warnings.push(...discovery.warnings);
    for (const check of discovery.checks) {
      const result = await runtime.runCheck(warm, check, { timeoutMs: CHECK_TIMEOUT_MS });
      const lastLine = result.excerpt.split('\n').filter((l) => l.trim()).at(-1)?.slice(0, 160) ?? '';
      console.log(`  ${check.display}: ${result.status}${result.reason ? ` (${result.reason})` : ''} in ${round(result.durationMs / 1000)} s — ${lastLine}`);
      if (result.status !== 'passed') console.log(result.excerpt.split('\n').slice(-12).map((l) => `    | ${l}`).join('\n'));
      report.checks.push({ check: check.name, command: check.display, kind: check.kind, status: result.status, durationMs: result.durationMs, reason: result.reason, lastLine });
    }
    return report;
  } catch (error) {
    return { ...report, failure: `crashed: ${(error as Error).stack ?? String(error)}` };
  } finally {
    for (const workspace of opened) await workspace.remove();
  }
}

async function main(): Promise<void> {
  const folder = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!folder) throw new Error('usage: prepare.js <folder of git repositories> [--check-timeout=ms] [--cache=dir] [--json=file]');
  const repositories = readdirSync(folder)
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isDirectory() && statSync(join(path, '.git'), { throwIfNoEntry: false }) !== undefined)
    .sort();
  const ownCache = option('cache') === undefined;
  const cacheDir = option('cache') ?? mkdtempSync(join(tmpdir(), 'bench-workspace-cache-'));
  const sandbox = await Sandbox.create({ mode: 'bubblewrap' });
  const defaultNode = option('default-node');
  const treeCacheDir = mkdtempSync(join(tmpdir(), 'bench-trees-'));
  const runtime = new WorkspaceRuntime(sandbox, {
    cacheDir,
    treeCacheDir,
    defaultNodeMajor: defaultNode === undefined ? undefined : Number(defaultNode),
  });
  const workspaces = new WorkspaceManager({ baseDir: mkdtempSync(join(tmpdir(), 'bench-ws-')) });
  const reports: RepositoryReport[] = [];
  try {
    for (const repository of repositories) {
      console.log(`\n${repository}`);
      reports.push(await benchRepository(repository, runtime, workspaces));
    }
  } finally {
    // The trees are this run's (a rerun must start cold); the checkouts are removed one by one already.
    rmSync(treeCacheDir, { recursive: true, force: true });
    rmSync(workspaces.baseDir, { recursive: true, force: true });
    if (ownCache) rmSync(cacheDir, { recursive: true, force: true });
  }
  console.log('\n| repository | manager | node | cold prepare | warm (symlinks) | warm (copy) | checks: baseline |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of reports) {
    const checks = r.failure ? r.failure.split('\n')[0] : r.checks.map((c) => `${c.command} ${c.status}${c.reason ? ` (${c.reason})` : ''} ${round(c.durationMs / 1000)} s`).join('; ') || 'none found';
    const s = (ms?: number) => (ms === undefined ? '–' : `${round(ms / 1000, 2)} s`);
    console.log(`| ${r.repository.split('/').at(-1)} | ${r.manager ?? '?'} | ${r.nodeMajor ?? '?'} | ${s(r.coldMs)} | ${s(r.warmSymlinkMs)} ${r.installedWarm ?? ''} | ${s(r.warmCopyMs)} | ${checks} |`);
  }
  const json = option('json');
  if (json) writeFileSync(json, JSON.stringify(reports, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
