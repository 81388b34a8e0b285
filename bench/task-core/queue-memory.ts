/**
 * Memory: Redis bytes per queued task and the orchestrator's resident
 * memory with many tasks queued (no worker takes them).
 *
 *   bash tools/bench/run.sh task-core/queue-memory --tasks=100000
 */
import { readFileSync } from 'node:fs';
import { testAuthHeaders, waitUntil } from '@autocode/testing';
import { runBench, withBenchMesh } from '../bench-kit';
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
  // A generation node announces the types; then it leaves, so every task stays queued.
  await withBenchMesh('mbench', {}, async ({ mesh, redis, namespace, base }) => {
    await mesh.service('generation-node').stop();
    await fetch(`${base}/api/queue/pause`, { method: 'POST', headers: { 'content-type': 'application/json', ...testAuthHeaders() }, body: '{}' });
    // Let the outbox drain and memory settle before the baseline.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = usedMemory(await redis.info('memory'));
    const pid = mesh.service('orchestrator').pid!;
    const rssBefore = rssMiB(pid);

    for (let i = 0; i < TASKS; i += 1000) {
      const tasks = Array.from({ length: Math.min(1000, TASKS - i) }, () => ({ type: 'noop' }));
      const response = await fetch(`${base}/api/tasks/bulk`, { method: 'POST', headers: { 'content-type': 'application/json', ...testAuthHeaders() }, body: JSON.stringify({ tasks }) });
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
  });
}

runBench(main);
