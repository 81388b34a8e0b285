import { CircuitBreaker } from '@autocode/resilience';
import { InfluxClient, MetricsWriter, type MetricPoint } from '@autocode/metrics';
import { RedisConnection } from '@autocode/state';
import { TEST_INFRA, testNamespace } from '@autocode/testing';
import type { TaskState } from '@autocode/contracts';
import type { OrchestratorConfig } from '../src/config/orchestrator.config';
import { encodeTaskFields } from '../src/tasks/task-codec';
import { TaskKeys } from '../src/tasks/task-keys';
import { TaskLifecycleService } from '../src/tasks/task-lifecycle.service';
import { TaskSignals } from '../src/tasks/task-signals';
import { emptyMutation } from '../src/tasks/task-transitions';
import { UNSET_TASK_FIELDS, type TaskRecord } from '../src/tasks/task.model';
import { TaskRepository } from '../src/tasks/task.repository';

/** The task core's Redis side, wired by hand against the real Redis and InfluxDB, in a key namespace of its own. */
export class TaskCoreHarness {
  readonly namespace = testNamespace('core');
  readonly redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${this.namespace}:` });
  readonly keys = new TaskKeys(this.redis);
  readonly repository = new TaskRepository(this.redis, this.keys);
  readonly signals = new TaskSignals();
  private readonly breaker = new CircuitBreaker('influx', (points: MetricPoint[]) =>
    new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase }).write(points),
  );
  readonly metrics = new MetricsWriter(this.breaker, { service: 'orchestrator-test', instanceId: this.namespace, flushIntervalMs: 1000 });
  readonly lifecycle = new TaskLifecycleService(this.repository, this.keys, this.signals, this.metrics, {
    QUEUE_AGING_STEP_SECONDS: 60,
  } as OrchestratorConfig);
  private counter = 0;

  task(overrides: Partial<TaskRecord> = {}): TaskRecord {
    const now = new Date().toISOString();
    this.counter += 1;
    return {
      id: `tsk_${this.namespace.replace(/-/g, '')}${String(this.counter).padStart(4, '0')}`,
      type: 'sleep',
      pool: 'generation',
      priority: 'MEDIUM',
      state: 'CREATED',
      attempt: 1,
      failures: 0,
      retry: { maxRetries: 3, initialDelayMs: 1000, factor: 2, maxDelayMs: 60_000, jitter: false },
      timeLimitMs: 60_000,
      params: { ms: 1 },
      ...UNSET_TASK_FIELDS,
      createdAt: now,
      updatedAt: now,
      ...overrides,
    };
  }

  /** Writes a task straight into `state`, with the queue, deadline and in-flight entries that state implies. */
  async seed(state: TaskState, overrides: Partial<TaskRecord> = {}): Promise<TaskRecord> {
    const executing = state === 'SCHEDULED' || state === 'RUNNING';
    const task = this.task({
      state,
      workerId: executing ? 'worker-a' : null,
      retryAt: state === 'RETRYING' ? new Date(Date.now() + 60_000).toISOString() : null,
      queueScore: state === 'QUEUED' ? Date.now() : null,
      ...overrides,
    });
    const mutation = emptyMutation();
    mutation.expectAbsent = true;
    mutation.set = encodeTaskFields({ ...task, ...(executing ? { deadlineMs: Date.now() + 60_000 } : {}) } as TaskRecord).set;
    const created = String(Date.parse(task.createdAt));
    mutation.zadd.push([this.keys.all(), created, task.id], [this.keys.byState(state), created, task.id]);
    if (state === 'QUEUED') {
      mutation.zadd.push([this.keys.ready(task.pool), String(task.queueScore), task.id]);
      mutation.hincr.push([this.keys.depth(), `${task.pool}:${task.priority}`, 1]);
    }
    if (state === 'RETRYING') mutation.zadd.push([this.keys.delayed(), String(Date.parse(task.retryAt!)), task.id]);
    if (executing) {
      mutation.zadd.push([this.keys.deadlines(), String(Date.now() + 60_000), task.id]);
      mutation.sadd.push([this.keys.inflight(task.workerId!), task.id]);
    }
    const outcome = await this.repository.apply(task.id, mutation);
    if (outcome.kind !== 'ok') throw new Error(`could not seed ${task.id}: ${outcome.kind}`);
    return task;
  }

  async membership(task: TaskRecord): Promise<{ ready: boolean; delayed: boolean; deadline: boolean; inflight: boolean; stateIndex: string[] }> {
    const client = this.redis.client;
    const [ready, delayed, deadline, inflight] = await Promise.all([
      client.zscore(this.keys.ready(task.pool), task.id),
      client.zscore(this.keys.delayed(), task.id),
      client.zscore(this.keys.deadlines(), task.id),
      client.sismember(this.keys.inflight('worker-a'), task.id),
    ]);
    const states: TaskState[] = ['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'PAUSED', 'RETRYING', 'FAILED', 'COMPLETED', 'CANCELLED'];
    const indexed = await Promise.all(states.map((s) => client.zscore(this.keys.byState(s), task.id)));
    return {
      ready: ready !== null,
      delayed: delayed !== null,
      deadline: deadline !== null,
      inflight: inflight === 1,
      stateIndex: states.filter((_, i) => indexed[i] !== null),
    };
  }

  async close(): Promise<void> {
    const keys = await this.redis.client.keys(`${this.namespace}:*`);
    if (keys.length) await this.redis.client.del(...keys);
    await this.metrics.stop();
    this.breaker.shutdown();
    await this.redis.close();
  }
}
