/**
 * Schedule precision: many interval schedules firing every second across
 * the orchestrator; lateness = when the slot's task was created minus the
 * slot time, read from the `schedule_fired` points in InfluxDB. The tasks
 * go into a paused queue: this measures the scheduler, not the workers
 * (1,000 tasks a second is more than one generation node runs).
 *
 *   bash tools/bench/run.sh task-core/schedule-precision --schedules=1000 --seconds=15
 */
import { InfluxClient } from '@autocode/metrics';
import { TEST_INFRA, testAuthHeaders } from '@autocode/testing';
import { runBench, withBenchMesh } from '../bench-kit';
import { argument, round, summarize } from '../stats';

const SCHEDULES = argument('schedules', 1000);
const SECONDS = argument('seconds', 15);
const EVERY_MS = argument('every-ms', 1000);

async function main(): Promise<void> {
  const influx = new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase });
  const env = { '*': { METRICS_FLUSH_INTERVAL_MS: '500' }, 'generation-node': { WORKER_CAPACITY: '50' } };
  await withBenchMesh('sbench', env, async ({ namespace, base }) => {
    await fetch(`${base}/api/queue/pause`, { method: 'POST', headers: { 'content-type': 'application/json', ...testAuthHeaders() }, body: '{}' });
    const prefix = namespace.replace(/[^a-z0-9-]/g, '');
    for (let i = 0; i < SCHEDULES; i += 1) {
      const response = await fetch(`${base}/api/schedules`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...testAuthHeaders() },
        body: JSON.stringify({ id: `${prefix}-${i}`, timing: { kind: 'interval', everyMs: EVERY_MS }, target: { kind: 'task', task: { type: 'noop', priority: 'LOW' } } }),
      });
      if (response.status !== 201) throw new Error(`schedule ${i}: ${response.status} ${await response.text()}`);
    }
    const started = Date.now();
    console.log(`${SCHEDULES} interval schedules every ${EVERY_MS} ms created; measuring for ${SECONDS} s`);
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    for (let i = 0; i < SCHEDULES; i += 1) await fetch(`${base}/api/schedules/${prefix}-${i}/disable`, { method: 'POST', headers: testAuthHeaders() });
    await new Promise((resolve) => setTimeout(resolve, 2000)); // last points flushed

    const rows = await influx.query<{ lateness_ms: number }>(
      `SELECT "lateness_ms" FROM "schedule_fired" WHERE "schedule_id" =~ /^${prefix}-/ AND time >= ${started}ms`,
    );
    const lateness = summarize(rows.map((r) => r.lateness_ms));
    const expected = Math.floor((SECONDS * 1000) / EVERY_MS) * SCHEDULES;
    console.log(`firings ${lateness.count} (about ${expected} slots) | lateness p50 ${round(lateness.p50)} ms, p90 ${round(lateness.p90)} ms, p99 ${round(lateness.p99)} ms, max ${round(lateness.max)} ms (target p99 < 50 ms)`);
  });
}

runBench(main);
