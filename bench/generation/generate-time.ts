/**
 * Generate time through the real generation node (orchestrator → Kafka →
 * generation-node → sandboxed runner → Redis), per built-in generator, on
 * the bundled sample repository and on a synthetic repository of
 * --modules TypeScript modules (default 1,000); then throughput: how many
 * patches one node with --capacity slots produces per minute from
 * --throughput tasks submitted at once.
 *
 *   npm run bench:generation -- --modules=1000 --runs=3 --throughput=40 --capacity=2
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Mesh, TEST_INFRA, testAuthHeaders, testNamespace, waitUntil, WORKSPACE_ROOT } from '@autocode/testing';
import { createSyntheticRepo, git } from '../planning/synthetic-repo';
import { runBench, tearDown } from '../bench-kit';
import { argument, round, summarize } from '../stats';

const MODULES = argument('modules', 1000);
const RUNS = argument('runs', 3);
const THROUGHPUT_TASKS = argument('throughput', 40);
const CAPACITY = argument('capacity', 2);

interface Job {
  generator: string;
  kind: string;
  files: string[];
}

interface TaskView {
  id: string;
  state: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  output: { outcome: string; patch: { filesChanged: number } } | null;
  error: { message: string } | null;
}

class Generation {
  private counter = 0;

  constructor(
    private readonly base: string,
    private readonly repository: string,
    private readonly commit: string,
  ) {}

  async submit(jobs: Job[]): Promise<string[]> {
    const response = await fetch(`${this.base}/api/tasks/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...testAuthHeaders() },
      body: JSON.stringify({
        tasks: jobs.map((job) => ({
          type: 'generate',
          retry: { maxRetries: 0 },
          params: {
            repository: this.repository,
            commit: this.commit,
            opportunity: {
              fingerprint: (this.counter += 1).toString(16).padStart(16, '0'),
              kind: job.kind,
              title: `${job.generator} on ${job.files.length} file(s)`,
              description: '',
              priority: 'MEDIUM',
              files: job.files,
              generator: job.generator,
            },
          },
        })),
      }),
    });
    if (response.status !== 201) throw new Error(`tasks refused: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { tasks: Array<{ id: string }> }).tasks.map((t) => t.id);
  }

  async finished(ids: string[]): Promise<TaskView[]> {
    return waitUntil(
      `${ids.length} generate task(s)`,
      async () => {
        const views = await Promise.all(ids.map(async (id) => (await (await fetch(`${this.base}/api/tasks/${id}`, { headers: testAuthHeaders() })).json()) as TaskView));
        return views.every((v) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(v.state)) ? views : undefined;
      },
      { timeoutMs: 1_800_000, intervalMs: 200 },
    );
  }

  /** Runs `job` `runs` times, one after the other; the node's own time per task (started → finished). */
  async time(job: Job, runs: number): Promise<{ nodeMs: number[]; outcome: string }> {
    const nodeMs: number[] = [];
    let outcome = '';
    for (let i = 0; i < runs; i += 1) {
      const [task] = await this.finished(await this.submit([job]));
      if (task.state !== 'COMPLETED' || !task.output) throw new Error(`${job.generator} ended ${task.state}: ${task.error?.message ?? ''}`);
      nodeMs.push(Date.parse(task.finishedAt!) - Date.parse(task.startedAt ?? task.createdAt));
      outcome = `${task.output.outcome}, ${task.output.patch.filesChanged} file(s) changed`;
    }
    return { nodeMs, outcome };
  }
}

function line(label: string, result: { nodeMs: number[]; outcome: string }, files = 1): void {
  const stats = summarize(result.nodeMs);
  const perFile = files > 1 ? ` | ${String(round(stats.p50 / files, 1)).padStart(6)} ms per file` : '';
  console.log(`${label.padEnd(44)} p50 ${String(round(stats.p50 / 1000, 2)).padStart(6)} s | max ${String(round(stats.max / 1000, 2)).padStart(6)} s${perFile} | ${result.outcome}`);
}

async function main(): Promise<void> {
  const namespace = testNamespace('bench-gen');
  const scratch = mkdtempSync(join(tmpdir(), 'autocode-bench-gen-'));
  const sample = join(scratch, 'sample');
  const synthetic = join(scratch, 'synthetic');
  execFileSync('bash', [join(WORKSPACE_ROOT, 'scripts/init-sample-repo.sh'), sample], { stdio: 'ignore' });
  createSyntheticRepo(synthetic, MODULES);
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => round(l, 2)).join(' / ')} (1 / 5 / 15 min)`);
  console.log(`one generation node, ${CAPACITY} slot(s); ${RUNS} run(s) per line, one after the other; times are the node's, from start to result\n`);

  const mesh = await Mesh.start({
    namespace,
    targetRepository: sample,
    services: ['orchestrator', 'generation-node'],
    env: { '*': { LOG_LEVEL: 'warn' }, orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' }, 'generation-node': { WORKER_CAPACITY: String(CAPACITY) } },
  });
  const redis = new Redis(TEST_INFRA.redisUrl);
  try {
    const health = (await (await fetch(`${mesh.service('generation-node').url}/health/ready`)).json()) as { components: Array<{ name: string; details?: { isolation?: string } }> };
    console.log(`sandbox: ${health.components.find((c) => c.name === 'sandbox')?.details?.isolation ?? 'unknown'}`);

    const onSample = new Generation(mesh.orchestratorUrl, sample, git(sample, 'rev-parse', 'HEAD'));
    console.log('\nsample repository (one opportunity each, as the planner finds them)');
    const sampleJobs: Array<[string, Job]> = [
      ['noop (mesh + checkout overhead)', { generator: 'noop', kind: 'recent-changes', files: ['src/format.js'] }],
      ['lint-autofix src/legacy-tax.js', { generator: 'lint-autofix', kind: 'lint-finding', files: ['src/legacy-tax.js'] }],
      ['format src/strings.js', { generator: 'format', kind: 'unformatted-file', files: ['src/strings.js'] }],
      ['organize-imports src/pricing.js', { generator: 'organize-imports', kind: 'unused-imports', files: ['src/pricing.js'] }],
      ['doc-comments src/report.js', { generator: 'doc-comments', kind: 'undocumented-export', files: ['src/report.js'] }],
      ['test-scaffold src/report.js', { generator: 'test-scaffold', kind: 'untested-module', files: ['src/report.js'] }],
    ];
    for (const [label, job] of sampleJobs) line(label, await onSample.time(job, RUNS));

    const onSynthetic = new Generation(mesh.orchestratorUrl, synthetic, git(synthetic, 'rev-parse', 'HEAD'));
    const module = (i: number) => `src/module-${i}.ts`;
    console.log(`\nsynthetic repository of ${MODULES} modules (one file each, then batches)`);
    const syntheticJobs: Array<[string, Job, number]> = [
      ['noop (checkout of the whole repository)', { generator: 'noop', kind: 'recent-changes', files: [module(1)] }, 1],
      ['lint-autofix, 1 file', { generator: 'lint-autofix', kind: 'lint-finding', files: [module(11)] }, 1],
      ['format, 1 file', { generator: 'format', kind: 'unformatted-file', files: [module(13)] }, 1],
      ['organize-imports, 1 file', { generator: 'organize-imports', kind: 'unused-imports', files: [module(7)] }, 1],
      ['doc-comments, 1 file', { generator: 'doc-comments', kind: 'undocumented-export', files: [module(6)] }, 1],
      ['test-scaffold, 1 module', { generator: 'test-scaffold', kind: 'untested-module', files: [module(2)] }, 1],
      ['format, 100 files in one task', { generator: 'format', kind: 'unformatted-file', files: Array.from({ length: 100 }, (_, i) => module(i)) }, 100],
      ['doc-comments, 100 files in one task', { generator: 'doc-comments', kind: 'undocumented-export', files: Array.from({ length: 100 }, (_, i) => module(i)) }, 100],
    ];
    for (const [label, job, files] of syntheticJobs) line(label, await onSynthetic.time(job, RUNS), files);

    console.log(`\nthroughput: ${THROUGHPUT_TASKS} tasks submitted at once (format and lint-autofix, each on a distinct file that needs it)`);
    // Modules 13k are unformatted and modules 11k have a `var` (see bench/planning/synthetic-repo.ts).
    const jobs: Job[] = Array.from({ length: THROUGHPUT_TASKS }, (_, i) =>
      i % 2
        ? { generator: 'format', kind: 'unformatted-file', files: [module((13 * (i + 1)) % MODULES)] }
        : { generator: 'lint-autofix', kind: 'lint-finding', files: [module((11 * (i + 1)) % MODULES)] },
    );
    const started = Date.now();
    const views = await onSynthetic.finished(await onSynthetic.submit(jobs));
    const minutes = (Date.now() - started) / 60_000;
    const completed = views.filter((v) => v.state === 'COMPLETED');
    const patches = completed.filter((v) => v.output?.outcome === 'patch').length;
    console.log(
      `${completed.length}/${THROUGHPUT_TASKS} completed (${patches} with a patch) in ${round(minutes * 60, 1)} s: ` +
        `${round(completed.length / minutes, 1)} tasks/min, ${round(patches / minutes, 1)} patches/min on one node with ${CAPACITY} slot(s)`,
    );
    console.log(`\nload average at the end: ${loadavg().map((l) => round(l, 2)).join(' / ')}`);
  } finally {
    await tearDown({ mesh, redis, namespace, paths: [scratch] });
  }
}

runBench(main);
