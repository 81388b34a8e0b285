/**
 * Plan time through the real planner service (orchestrator → Kafka →
 * planner → Redis), for the bundled sample repository and a synthetic
 * repository of --modules TypeScript modules (default 1,000, plus a test
 * for every fifth), cold (empty cache), re-planned unchanged (warm) and
 * after a commit touching --touch modules (incremental).
 *
 *   npm run bench:planning -- --modules=1000 --touch=10
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Mesh, TEST_INFRA, testAuthHeaders, testNamespace, waitUntil, WORKSPACE_ROOT } from '@autocode/testing';
import { runBench, tearDown } from '../bench-kit';
import { argument, round } from '../stats';
import { createSyntheticRepo, git, touchModules } from './synthetic-repo';

const MODULES = argument('modules', 1000);
const TOUCH = argument('touch', 10);

interface PlanRun {
  wallMs: number;
  plannerMs: number;
  filesAnalysed: number;
  cacheHits: number;
  found: number;
  planned: number;
}

interface TaskView {
  state: string;
  createdAt: string;
  finishedAt: string | null;
  output: { opportunities: unknown[]; stats: { durationMs: number; filesAnalysed?: number; cacheHits?: number; found?: number } } | null;
  error: { message: string } | null;
}

async function plan(base: string, repository: string): Promise<PlanRun> {
  const response = await fetch(`${base}/api/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...testAuthHeaders() },
    body: JSON.stringify({ type: 'plan', params: { repository, ref: 'HEAD', lookbackHours: 24 } }),
  });
  if (response.status !== 201) throw new Error(`plan task refused: ${response.status} ${await response.text()}`);
  const { id } = (await response.json()) as { id: string };
  const task = await waitUntil(
    `plan task ${id}`,
    async () => {
      const view = (await (await fetch(`${base}/api/tasks/${id}`, { headers: testAuthHeaders() })).json()) as TaskView;
      return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(view.state) ? view : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 100 },
  );
  if (task.state !== 'COMPLETED' || !task.output) throw new Error(`plan task ${id} ended ${task.state}: ${task.error?.message ?? ''}`);
  const stats = task.output.stats;
  return {
    wallMs: Date.parse(task.finishedAt!) - Date.parse(task.createdAt),
    plannerMs: stats.durationMs,
    filesAnalysed: stats.filesAnalysed ?? 0,
    cacheHits: stats.cacheHits ?? 0,
    found: stats.found ?? 0,
    planned: task.output.opportunities.length,
  };
}

function print(label: string, run: PlanRun): void {
  console.log(
    `${label.padEnd(34)} planner ${String(round(run.plannerMs / 1000, 2)).padStart(6)} s | task ${String(round(run.wallMs / 1000, 2)).padStart(6)} s | ${run.filesAnalysed} files, ${run.cacheHits} from cache | ${run.found} found, ${run.planned} planned`,
  );
}

async function main(): Promise<void> {
  const namespace = testNamespace('bench-plan');
  const scratch = mkdtempSync(join(tmpdir(), 'autocode-bench-plan-'));
  const sample = join(scratch, 'sample');
  const synthetic = join(scratch, 'synthetic');
  execFileSync('bash', [join(WORKSPACE_ROOT, 'scripts/init-sample-repo.sh'), sample], { stdio: 'ignore' });
  const created = Date.now();
  const { sources } = createSyntheticRepo(synthetic, MODULES);
  // Other work on the machine slows every number below; say how much there was.
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => round(l, 2)).join(' / ')} (1 / 5 / 15 min)`);
  console.log(`synthetic repository: ${MODULES} modules + tests = ${sources} source files, written and committed in ${round((Date.now() - created) / 1000, 2)} s`);

  const mesh = await Mesh.start({
    namespace,
    targetRepository: sample,
    services: ['orchestrator', 'planner'],
    env: { '*': { LOG_LEVEL: 'warn' }, orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' } },
  });
  const redis = new Redis(TEST_INFRA.redisUrl);
  try {
    const base = mesh.orchestratorUrl;
    print('sample: cold', await plan(base, sample));
    print('sample: same commit again', await plan(base, sample));
    execFileSync('bash', ['-c', 'echo "// touched" >> src/format.js'], { cwd: sample });
    git(sample, 'commit', '-q', '-am', 'Touch one file');
    print('sample: after a 1-file commit', await plan(base, sample));

    print(`synthetic ${MODULES}: cold`, await plan(base, synthetic));
    print(`synthetic ${MODULES}: same commit again`, await plan(base, synthetic));
    touchModules(synthetic, MODULES, TOUCH, 1);
    print(`synthetic ${MODULES}: after a ${TOUCH}-file commit`, await plan(base, synthetic));
    console.log(`load average at the end: ${loadavg().map((l) => round(l, 2)).join(' / ')}`);
  } finally {
    await tearDown({ mesh, redis, namespace, paths: [scratch] });
  }
}

runBench(main);
