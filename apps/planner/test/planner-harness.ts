import { GitClient } from '@autocode/git';
import { KnowledgeBase, OpportunityMemory } from '@autocode/knowledge';
import { InfluxClient, type MetricPoint, MetricsWriter } from '@autocode/metrics';
import { BreakerRegistry, CircuitBreaker } from '@autocode/resilience';
import { Sandbox } from '@autocode/sandbox';
import { RedisConnection } from '@autocode/state';
import { TEST_INFRA, TEST_MESH_SECRET, TEST_WORKSPACE_CACHE_DIR, testNamespace } from '@autocode/testing';
import type { TaskContext } from '@autocode/worker';
import { WorkspaceRuntime } from '@autocode/workspace-runtime';
import { AppMetricsRepository } from '../src/analysis/metrics/app-metrics.repository';
import { RepositoryAnalyzer } from '../src/analysis/repository-analyzer.service';
import { FileAnalysisCache } from '../src/analysis/source/file-analysis.cache';
import { TargetRepositoryReader } from '../src/analysis/source/target-repository.reader';
import { LintFormatClient, MESH_NODE_MODULES } from '../src/analysis/tools/lint-format.client';
import { RepositoryToolsAnalysis } from '../src/analysis/tools/repository-tools.analysis';
import { type PlannerConfig, plannerConfigSchema } from '../src/config/planner.config';
import { PlannerService } from '../src/planning/planner.service';

/** Managers, Node.js majors and downloads of the fixture repositories' own tools, shared across tests and runs. */
export { TEST_WORKSPACE_CACHE_DIR };

/** The planner wired by hand against the real Redis, InfluxDB and git, in a key namespace of its own. */
export class PlannerHarness {
  readonly namespace = testNamespace('plan');
  readonly redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${this.namespace}:` });
  readonly influx = new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase });
  readonly knowledge = new KnowledgeBase(this.redis);
  readonly memory = new OpportunityMemory(this.redis);
  readonly config: PlannerConfig;
  readonly service: PlannerService;
  readonly progress: Array<{ percent: number; message: string }> = [];
  private readonly breakers = new BreakerRegistry();
  private readonly metrics: MetricsWriter;
  private tasks = 0;

  constructor(env: Record<string, string> = {}, options: { appMetricsInfluxUrl?: string } = {}) {
    this.config = plannerConfigSchema.parse({
      REDIS_URL: TEST_INFRA.redisUrl,
      REDIS_KEY_PREFIX: `${this.namespace}:`,
      MESH_SECRET: TEST_MESH_SECRET,
      INFLUX_URL: TEST_INFRA.influxUrl,
      INFLUX_DATABASE: TEST_INFRA.influxDatabase,
      // Each test file has its own measurement, so other tests' points never show.
      PLANNER_APP_METRICS_MEASUREMENT: `app_requests_${this.namespace.replace(/-/g, '_')}`,
      ...env,
    });
    this.metrics = new MetricsWriter(
      new CircuitBreaker('influx', (points: MetricPoint[]) => this.influx.write(points)),
      { service: 'planner-test', instanceId: this.namespace, flushIntervalMs: 1000 },
    );
    const reader = new TargetRepositoryReader(new GitClient());
    const appInflux = options.appMetricsInfluxUrl ? new InfluxClient({ url: options.appMetricsInfluxUrl, database: TEST_INFRA.influxDatabase }) : this.influx;
    // The real sandbox, as in the service: the target's ESLint/Prettier configuration is repository code.
    const sandbox = Sandbox.create({ mode: 'bubblewrap', readOnlyPaths: [MESH_NODE_MODULES] });
    const client = new LintFormatClient(sandbox, {
      timeoutMs: this.config.PLANNER_TOOL_TIMEOUT_MS,
      memoryMb: this.config.PLANNER_TOOL_MEMORY_MB,
      processes: this.config.PLANNER_TOOL_PROCESSES,
    });
    // The repository's own tools, installed from the registry into a cache shared across tests and runs (reruns are warm).
    const tools = new RepositoryToolsAnalysis(client, sandbox.then((ready) => new WorkspaceRuntime(ready, { cacheDir: TEST_WORKSPACE_CACHE_DIR })));
    const analyzer = new RepositoryAnalyzer(reader, new FileAnalysisCache(this.redis), new AppMetricsRepository(appInflux, this.breakers, this.config), tools, this.config);
    this.service = new PlannerService(reader, analyzer, this.knowledge, this.memory, this.metrics, this.config);
  }

  /** A task context like the worker runtime's, with a fresh task id (or the given one, as for a retried attempt). */
  context(taskId = this.nextTaskId(), signal = new AbortController().signal): TaskContext {
    return {
      taskId,
      attempt: 1,
      workerId: `planner-${this.namespace}`,
      deadline: new Date(Date.now() + 600_000),
      checkpoint: null,
      signal,
      progress: async (percent, message) => {
        this.progress.push({ percent, message });
      },
    };
  }

  nextTaskId(): string {
    this.tasks += 1;
    return `tsk_${this.namespace.replace(/-/g, '')}${String(this.tasks).padStart(4, '0')}`;
  }

  flushMetrics(): Promise<void> {
    return this.metrics.flush();
  }

  async close(): Promise<void> {
    const keys = await this.redis.client.keys(`${this.namespace}:*`);
    for (let i = 0; i < keys.length; i += 500) await this.redis.client.del(...keys.slice(i, i + 500));
    await this.metrics.stop();
    this.breakers.onApplicationShutdown();
    await this.redis.close();
  }
}
