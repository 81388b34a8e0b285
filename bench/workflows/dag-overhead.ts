/**
 * Orchestration overhead of workflows: a random DAG of no-op nodes, and a
 * straight chain of the same length through the task core.
 *
 *   bash tools/bench/run.sh workflows/dag-overhead --nodes=200 --seed=7
 *
 * DAG overhead per node = (run time − work on the critical path) / nodes on
 * the critical path; work is each task's own run time (startedAt →
 * finishedAt). The chain submits one no-op task after the other has
 * completed, which is the task core's round trip per step.
 */
import { testAuthHeaders } from '@autocode/testing';
import { runBench, withBenchMesh } from '../bench-kit';
import { argument, round, summarize } from '../stats';

const NODES = argument('nodes', 200);
const SEED = argument('seed', 7);
const FAN_IN = argument('max-deps', 3);

/** A small deterministic PRNG, so a seed gives the same DAG every time. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function randomDag(size: number, seed: number): Array<{ id: string; dependsOn: string[] }> {
  const next = random(seed);
  return Array.from({ length: size }, (_, i) => {
    const deps = new Set<number>();
    const count = i === 0 ? 0 : 1 + Math.floor(next() * FAN_IN);
    // Mostly recent predecessors, so the DAG is deep as well as wide.
    for (let k = 0; k < count; k += 1) deps.add(Math.max(0, i - 1 - Math.floor(next() * Math.min(i, 8))));
    return { id: `n${i}`, dependsOn: [...deps].map((d) => `n${d}`) };
  });
}

interface TaskTimes {
  createdAt: string;
  startedAt: string;
  finishedAt: string;
}

async function main(): Promise<void> {
  const env = { 'generation-node': { WORKER_CAPACITY: '8', WORKER_DECORATORS_BY_TYPE: 'noop=' } };
  await withBenchMesh('dag', env, async ({ base }) => {
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...testAuthHeaders() }, body: JSON.stringify(body) });
      if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<Record<string, unknown>>;
    };
    const get = async <T>(path: string) => (await (await fetch(`${base}${path}`, { headers: testAuthHeaders() })).json()) as T;

    const dag = randomDag(NODES, SEED);
    await post('/api/workflows', { name: 'bench-dag', nodes: dag.map((n) => ({ ...n, type: 'noop' })) });
    const started = Date.now();
    const run = (await post('/api/workflows/bench-dag/runs', {})) as { id: string };
    let final: { status: string; createdAt: string; finishedAt: string; nodes: Array<{ nodeId: string; taskId: string }> };
    for (;;) {
      final = await get(`/api/workflow-runs/${run.id}`);
      if (!['RUNNING', 'PAUSED'].includes(final.status)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const runMs = Date.parse(final.finishedAt) - Date.parse(final.createdAt);
    const times = new Map<string, TaskTimes>();
    for (const node of final.nodes) times.set(node.nodeId, await get<TaskTimes>(`/api/tasks/${node.taskId}`));
    const work = (id: string) => Date.parse(times.get(id)!.finishedAt) - Date.parse(times.get(id)!.startedAt);

    // Longest path by node count, and the work along it.
    const best = new Map<string, { length: number; work: number }>();
    for (const node of dag) {
      const from = node.dependsOn.map((d) => best.get(d)!).reduce((a, b) => (b.length > a.length || (b.length === a.length && b.work > a.work) ? b : a), { length: 0, work: 0 });
      best.set(node.id, { length: from.length + 1, work: from.work + work(node.id) });
    }
    const critical = [...best.values()].reduce((a, b) => (b.length > a.length ? b : a));
    const dagOverhead = (runMs - critical.work) / critical.length;

    // A straight chain of the same length through the task core, one task after the other.
    const chainStarted = Date.now();
    const steps: number[] = [];
    for (let i = 0; i < critical.length; i += 1) {
      const stepStart = Date.now();
      const task = (await post('/api/tasks', { type: 'noop' })) as { id: string };
      for (;;) {
        const t = await get<{ state: string }>(`/api/tasks/${task.id}`);
        if (t.state === 'COMPLETED') break;
        await new Promise((r) => setTimeout(r, 2));
      }
      steps.push(Date.now() - stepStart);
    }
    const chainMs = Date.now() - chainStarted;
    const chain = summarize(steps);

    console.log(`DAG: ${NODES} no-op nodes (seed ${SEED}), critical path ${critical.length} nodes, ${final.status} in ${runMs} ms (${Date.now() - started} ms wall)`);
    console.log(`  work on the critical path ${critical.work} ms → orchestration overhead ${round(dagOverhead)} ms per critical-path node, ${round(runMs / NODES)} ms per node of the DAG`);
    console.log(`chain: ${critical.length} no-op tasks one after the other through the task core in ${chainMs} ms → ${round(chainMs / critical.length)} ms per step (p50 ${chain.p50}, p99 ${chain.p99})`);
    console.log(`ratio (workflow overhead per step / task-core round trip): ${round(dagOverhead / (chainMs / critical.length), 2)}`);
  });
}

runBench(main);
