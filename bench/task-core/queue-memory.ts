/**
 * Memory: Redis bytes per queued task and the orchestrator's resident
 * memory with many tasks queued (no worker takes them).
 *
 *   bash tools/bench/run.sh task-core/queue-memory --tasks=100000
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { deleteNamespaceTopics, Mesh, TEST_INFRA, testNamespace, waitUntil } from '@autocode/testing';
import { argument, round } from '../stats';

const TASKS = argument('tasks', 100_000);

function usedMemory(info: string): number {
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

async function main(): Promise<void> {
  const namespace = testNamespace('mbench');
  const repo = mkdtempSync(join(tmpdir(), 'autocode-bench-'));
  const redis = new Redis(TEST_INFRA.redisUrl);
  // A generation node announces the types; then it leaves, so every task stays queued.
  const mesh = await Mesh.start({
    namespace,
    targetRepository: repo,
    services: ['orchestrator', 'generation-node'],
    env: { '*': { LOG_LEVEL: 'warn' }, orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' } },
  });
  const base = mesh.orchestratorUrl;
  try {
    await waitUntil('noop to be known', async () => ((await (await fetch(`${base}/api/task-types`)).json()) as { items: Array<{ name: string }> }).items.some((t) => t.name === 'noop'));
    await mesh.service('generation-node').stop();
    await fetch(`${base}/api/queue/pause`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    // Let the outbox drain and memory settle before the baseline.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = usedMemory(await redis.info('memory'));
    const pid = mesh.service('orchestrator').pid!;
    const rssBefore = rssMiB(pid);

    for (let i = 0; i < TASKS; i += 1000) {
      const tasks = Array.from({ length: Math.min(1000, TASKS - i) }, () => ({ type: 'noop' }));
      const response = await fetch(`${base}/api/tasks/bulk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tasks }) });
      if (response.status !== 201) throw new Error(`bulk ${i}: ${response.status}`);
    }
    // The outbox is published and trimmed; what remains is what a queued task costs.
    await waitUntil('the outbox to drain', async () => (await redis.xlen(`${namespace}:outbox`)) === 0, { timeoutMs: 300_000, intervalMs: 500 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = usedMemory(await redis.info('memory'));
    const queued = await redis.zcard(`${namespace}:tasks:state:QUEUED`);
    const rssAfter = rssMiB(pid);
    console.log(`${queued} tasks queued`);
    console.log(`redis: ${round((after - before) / queued)} bytes per queued task (target < 1024)`);
    console.log(`orchestrator RSS: ${round(rssBefore)} MiB before, ${round(rssAfter)} MiB with the queue (target < 300 MiB)`);
  } finally {
    await mesh.stop();
    const keys = await redis.keys(`${namespace}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    rmSync(repo, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
