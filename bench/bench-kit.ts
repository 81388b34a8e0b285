import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { deleteNamespaceTopics, Mesh, type MeshOptions, TEST_INFRA, testAuthHeaders, testNamespace, waitUntil } from '@autocode/testing';

export interface BenchMesh {
  mesh: Mesh;
  redis: Redis;
  namespace: string;
  /** The orchestrator's REST base URL. */
  base: string;
}

/**
 * Starts an orchestrator and a generation node in a namespace of their own
 * (against an empty repository), waits until the no-op task type is known,
 * runs the benchmark, then removes every key, topic and file it made.
 */
export async function withBenchMesh<T>(label: string, env: MeshOptions['env'], work: (bench: BenchMesh) => Promise<T>): Promise<T> {
  const namespace = testNamespace(label);
  const repo = mkdtempSync(join(tmpdir(), 'autocode-bench-'));
  const redis = new Redis(TEST_INFRA.redisUrl);
  const mesh = await Mesh.start({
    namespace,
    targetRepository: repo,
    services: ['orchestrator', 'generation-node'],
    env: {
      ...env,
      '*': { LOG_LEVEL: 'warn', ...env?.['*'] },
      // A benchmark measures the task core, not the gateway's rate limits.
      orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '', RATE_LIMIT_PER_KEY: '10000000', RATE_LIMIT_PER_CLIENT: '10000000', ...env?.orchestrator },
    },
  });
  const base = mesh.orchestratorUrl;
  try {
    await waitUntil('noop to be known', async () => {
      const types = (await (await fetch(`${base}/api/task-types`, { headers: testAuthHeaders() })).json()) as { items: Array<{ name: string }> };
      return types.items.some((t) => t.name === 'noop');
    });
    return await work({ mesh, redis, namespace, base });
  } finally {
    await tearDown({ mesh, redis, namespace, paths: [repo] });
  }
}

/** Stops a benchmark's mesh and removes its keys, topics and files. */
export async function tearDown({ mesh, redis, namespace, paths }: { mesh: Mesh; redis: Redis; namespace: string; paths: string[] }): Promise<void> {
  await mesh.stop();
  const keys = await redis.keys(`${namespace}:*`);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  redis.disconnect();
  await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
  for (const path of paths) rmSync(path, { recursive: true, force: true });
}

/** Runs a benchmark's main and exits with its outcome (open connections must not keep it alive). */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
