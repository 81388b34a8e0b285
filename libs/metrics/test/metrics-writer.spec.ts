import { randomUUID } from 'node:crypto';
import { CircuitBreaker } from '@autocode/resilience';
import { TEST_INFRA, waitUntil } from '@autocode/testing';
import { InfluxClient, type MetricPoint } from '../src/influx.client';
import { MetricsWriter } from '../src/metrics-writer';

describe('MetricsWriter against InfluxDB', () => {
  const client = new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase });

  beforeAll(() => client.ensureDatabase());

  it('writes batched points, tagged with service and instance, that can be queried back', async () => {
    const breaker = new CircuitBreaker('influx', (points: MetricPoint[]) => client.write(points));
    const writer = new MetricsWriter(breaker, { service: 'metrics-test', instanceId: 'i-1', flushIntervalMs: 50, batchSize: 1000 });
    const runId = randomUUID();
    for (let i = 0; i < 25; i += 1) writer.record('metrics_test', { value: i, run_id: runId }, { kind: 'unit' });
    expect(writer.pending).toBe(25);
    await writer.flush();
    expect(writer.pending).toBe(0);

    const rows = await waitUntil('points in InfluxDB', async () => {
      const found = await client.query<{ value: number; service: string; instance: string }>(
        `SELECT "value", "service", "instance" FROM "metrics_test" WHERE "run_id" = '${runId}'`,
      );
      return found.length === 25 ? found : undefined;
    });
    expect(rows.map((r) => r.value).sort((a, b) => a - b)).toEqual([...Array(25).keys()]);
    expect(new Set(rows.map((r) => `${r.service}/${r.instance}`))).toEqual(new Set(['metrics-test/i-1']));
    await writer.stop();
    breaker.shutdown();
  });

  it('keeps points through an outage (bounded) and delivers them when InfluxDB answers again', async () => {
    let reachable = false;
    const breaker = new CircuitBreaker('influx-flaky', async (points: MetricPoint[]) => {
      if (!reachable) throw new Error('connection refused');
      await client.write(points);
    }, { volumeThreshold: 100 });
    const writer = new MetricsWriter(breaker, { service: 'metrics-test', instanceId: 'i-2', flushIntervalMs: 1000, maxBuffered: 10 });
    const runId = randomUUID();
    for (let i = 0; i < 12; i += 1) writer.record('metrics_test', { value: i, run_id: runId });
    await writer.flush();
    expect(writer.pending).toBe(10);
    expect(writer.droppedPoints).toBe(2);

    reachable = true;
    await writer.flush();
    const rows = await waitUntil('the buffered points', async () => {
      const found = await client.query<{ value: number }>(`SELECT "value" FROM "metrics_test" WHERE "run_id" = '${runId}'`);
      return found.length === 10 ? found : undefined;
    });
    // The oldest two were dropped; the newest ten survived, in order.
    expect(rows.map((r) => r.value).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await writer.stop();
    breaker.shutdown();
  });
});
