/**
 * No-op task throughput and latency through the real mesh (REST → Redis →
 * Kafka → generation node → Kafka → Redis), compared in the same run with
 * BullMQ on the same Redis, with the same no-op work and concurrency.
 *
 *   bash tools/bench/run.sh task-core/throughput --tasks=10000 --concurrency=10 --rate=100
 *
 * Throughput: all tasks submitted at once (bulk), tasks/s from first
 * creation to last completion. Latency: tasks submitted one by one at a
 * steady rate, create-to-complete p50/p99 from the server's own timestamps.
 */
import { Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import { TEST_INFRA, testAuthHeaders, testNamespace, waitUntil } from '@autocode/testing';
import { runBench, withBenchMesh } from '../bench-kit';
import { argument, round, summarize } from '../stats';

const TASKS = argument('tasks', 10_000);
const CONCURRENCY = argument('concurrency', 10);
const RATE = argument('rate', 100);
const STEADY_SECONDS = argument('steady-seconds', 10);

interface Result {
  throughput: number;
  burstSeconds: number;
  steady: ReturnType<typeof summarize>;
}

async function main(): Promise<void> {
  console.log(`no-op tasks: ${TASKS}, concurrency ${CONCURRENCY}, steady rate ${RATE}/s for ${STEADY_SECONDS}s`);
  const ours = await benchAutocode();
  const bull = await benchBullMq();
  const print = (name: string, r: Result) =>
    console.log(
      `${name.padEnd(9)} throughput ${round(r.throughput)} tasks/s (${TASKS} in ${round(r.burstSeconds, 2)} s) | steady ${RATE}/s latency p50 ${round(r.steady.p50)} ms, p99 ${round(r.steady.p99)} ms, max ${round(r.steady.max)} ms`,
    );
  print('autocode', ours);
  print('bullmq', bull);
  console.log(`ratio autocode/bullmq throughput: ${round(ours.throughput / bull.throughput, 3)} (target ≥ 0.5)`);
}

async function benchAutocode(): Promise<Result> {
  // Decorators off for no-op: the figure is the mesh's own overhead per task.
  const env = { 'generation-node': { WORKER_CAPACITY: String(CONCURRENCY), WORKER_DECORATORS_BY_TYPE: 'noop=' } };
  return withBenchMesh('bench', env, async ({ redis, namespace, base }) => {
    // Warm up connections and code paths.
    await submitBulk(base, 200);
    await waitForCompleted(redis, namespace, 200);

    const ids = await submitBulk(base, TASKS);
    await waitForCompleted(redis, namespace, 200 + TASKS, 600_000);
    const times = await timestamps(redis, namespace, ids);
    const first = Math.min(...times.map((t) => t.created));
    const last = Math.max(...times.map((t) => t.finished));

    const steadyIds: string[] = [];
    const interval = 1000 / RATE;
    const start = Date.now();
    for (let i = 0; i < RATE * STEADY_SECONDS; i += 1) {
      const due = start + i * interval;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const response = await fetch(`${base}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json', ...testAuthHeaders() }, body: '{"type":"noop"}' });
      steadyIds.push(((await response.json()) as { id: string }).id);
    }
    await waitForCompleted(redis, namespace, 200 + TASKS + steadyIds.length, 120_000);
    const steady = await timestamps(redis, namespace, steadyIds);
    return { throughput: TASKS / ((last - first) / 1000), burstSeconds: (last - first) / 1000, steady: summarize(steady.map((t) => t.finished - t.created)) };
  });
}

async function submitBulk(base: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1000) {
    const tasks = Array.from({ length: Math.min(1000, count - i) }, () => ({ type: 'noop' }));
    const response = await fetch(`${base}/api/tasks/bulk`, { method: 'POST', headers: { 'content-type': 'application/json', ...testAuthHeaders() }, body: JSON.stringify({ tasks }) });
    if (response.status !== 201) throw new Error(`bulk create failed: ${response.status} ${await response.text()}`);
    ids.push(...((await response.json()) as { tasks: Array<{ id: string }> }).tasks.map((t) => t.id));
  }
  return ids;
}

function waitForCompleted(redis: Redis, namespace: string, count: number, timeoutMs = 60_000): Promise<true> {
  return waitUntil(`${count} completed tasks`, async () => (await redis.zcard(`${namespace}:tasks:state:COMPLETED`)) >= count, { timeoutMs, intervalMs: 50 });
}

async function timestamps(redis: Redis, namespace: string, ids: string[]): Promise<Array<{ created: number; finished: number }>> {
  const out: Array<{ created: number; finished: number }> = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const pipeline = redis.pipeline();
    for (const id of ids.slice(i, i + 1000)) pipeline.hmget(`${namespace}:task:${id}`, 'createdAt', 'finishedAt');
    for (const [, value] of (await pipeline.exec()) ?? []) {
      const [created, finished] = value as [string, string];
      out.push({ created: Date.parse(created), finished: Date.parse(finished) });
    }
  }
  return out;
}

async function benchBullMq(): Promise<Result> {
  const prefix = testNamespace('bull');
  const connection = new Redis(TEST_INFRA.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('noop', { connection, prefix });
  const latencies: number[] = [];
  let completed = 0;
  const worker = new Worker('noop', async () => undefined, { connection: connection.duplicate(), prefix, concurrency: CONCURRENCY });
  worker.on('completed', (job: Job) => {
    completed += 1;
    if (job.data.steady) latencies.push((job.finishedOn ?? Date.now()) - job.timestamp);
  });
  try {
    await worker.waitUntilReady();
    await queue.addBulk(Array.from({ length: 200 }, () => ({ name: 'noop', data: {} })));
    await waitUntil('bullmq warm-up', () => completed >= 200);

    const start = Date.now();
    for (let i = 0; i < TASKS; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, TASKS - i) }, () => ({ name: 'noop', data: {}, opts: { removeOnComplete: true } })));
    }
    await waitUntil('bullmq burst', () => completed >= 200 + TASKS, { timeoutMs: 600_000, intervalMs: 20 });
    const burstSeconds = (Date.now() - start) / 1000;

    const interval = 1000 / RATE;
    const steadyStart = Date.now();
    for (let i = 0; i < RATE * STEADY_SECONDS; i += 1) {
      const due = steadyStart + i * interval;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      await queue.add('noop', { steady: true }, { removeOnComplete: true });
    }
    await waitUntil('bullmq steady', () => latencies.length >= RATE * STEADY_SECONDS, { timeoutMs: 120_000 });
    return { throughput: TASKS / burstSeconds, burstSeconds, steady: summarize(latencies) };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
  }
}

runBench(main);
