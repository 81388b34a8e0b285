import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GenerateOutput, JsonValue, Opportunity } from '@autocode/contracts';
import { InfluxClient, type MetricPoint, MetricsWriter } from '@autocode/metrics';
import { BreakerRegistry, CircuitBreaker } from '@autocode/resilience';
import { type EphemeralWorkspace, Sandbox, type SandboxRunResult, WorkspaceManager } from '@autocode/sandbox';
import { WorkspaceRuntime } from '@autocode/workspace-runtime';
import { TEST_INFRA, TEST_WORKSPACE_CACHE_DIR, testNamespace, WORKSPACE_ROOT } from '@autocode/testing';
import type { TaskContext } from '@autocode/worker';
import type { GenerationNodeConfig } from '../src/config/generation-node.config';
import { GenerationService } from '../src/generation/generation.service';
import { RepositoryToolchain } from '../src/generation/repository-toolchain';
import { GeneratorRegistry } from '../src/generation/generator-registry';
import { GeneratorRunnerClient } from '../src/generation/generator-runner.client';
import { LlmGenerator } from '../src/generation/llm.generator';
import { GeneratorToolchain } from '../src/sandbox/sandbox.module';
import { locateToolchain } from '../src/sandbox/toolchain';
import { MESH_NODE_MODULES, TSC } from './fixture-repo';

export const RUNNER_PATH = join(WORKSPACE_ROOT, 'dist/apps/generation-node/generator-runner.js');

export interface RecordedProgress {
  percent: number;
  message: string;
  checkpoint?: JsonValue;
}

/** Managers, Node.js majors and downloads of the fixture repositories' own tools, shared across tests and runs. */
export { TEST_WORKSPACE_CACHE_DIR };

/**
 * The generation service wired by hand over the real pieces: bubblewrap,
 * git workspaces, the built generator runner (build it first: npx nx run
 * generation-node:build) and InfluxDB for its metrics.
 */
export class GenerationHarness {
  readonly workspaces: WorkspaceManager;
  private taskCounter = 0;

  private constructor(
    readonly namespace: string,
    readonly sandbox: Sandbox,
    readonly service: GenerationService,
    readonly config: GenerationNodeConfig,
    readonly metrics: MetricsWriter,
    private readonly breaker: CircuitBreaker<[MetricPoint[]], void>,
    private readonly breakers: BreakerRegistry,
  ) {
    this.workspaces = new WorkspaceManager({ baseDir: join(tmpdir(), `autocode-ws-${namespace}-checks`) });
  }

  static async create(overrides: Partial<GenerationNodeConfig> = {}): Promise<GenerationHarness> {
    const namespace = testNamespace('gen');
    const config = {
      SANDBOX_MODE: 'bubblewrap',
      GENERATOR_TIME_LIMIT_MS: 120_000,
      GENERATOR_MEMORY_MB: 1536,
      GENERATION_CHECKPOINT_INTERVAL_MS: 0,
      LLM_TIMEOUT_MS: 10_000,
      LLM_MAX_ATTEMPTS: 2,
      LLM_MAX_TOKENS: 2000,
      LLM_TEMPERATURE: 0,
      LLM_BREAKER_VOLUME_THRESHOLD: 5,
      LLM_BREAKER_ERROR_PERCENT: 50,
      LLM_BREAKER_RESET_MS: 30_000,
      GENERATOR_RUNNER_PATH: RUNNER_PATH,
      WORKSPACE_DIR: join(tmpdir(), `autocode-ws-${namespace}`),
      ...overrides,
    } as GenerationNodeConfig;
    const breaker = new CircuitBreaker('influx', (points: MetricPoint[]) =>
      new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase }).write(points),
    );
    const metrics = new MetricsWriter(breaker, { service: 'generation-node-test', instanceId: namespace, flushIntervalMs: 1000 });
    const toolchain = new GeneratorToolchain(locateToolchain(config.GENERATOR_RUNNER_PATH));
    const sandbox = await Sandbox.create({ mode: config.SANDBOX_MODE, readOnlyPaths: [toolchain.paths.runnerPath, toolchain.paths.nodeModulesDir] });
    const breakers = new BreakerRegistry();
    const registry = new GeneratorRegistry(new GeneratorRunnerClient(sandbox, toolchain, config), new LlmGenerator(breakers, config));
    // The repository's own tools, installed from the registry into a cache shared across tests and runs (reruns are warm).
    const toolchainOfRepository = new RepositoryToolchain(new WorkspaceRuntime(sandbox, { cacheDir: TEST_WORKSPACE_CACHE_DIR }));
    const service = new GenerationService(metrics, new WorkspaceManager({ baseDir: config.WORKSPACE_DIR }), registry, toolchainOfRepository, config);
    return new GenerationHarness(namespace, sandbox, service, config, metrics, breaker, breakers);
  }

  /** A task context as the worker runtime would give it, recording what the task reports. */
  context(options: { checkpoint?: JsonValue | null; attempt?: number; signal?: AbortSignal; onProgress?: (report: RecordedProgress) => void } = {}) {
    this.taskCounter += 1;
    const reports: RecordedProgress[] = [];
    const controller = new AbortController();
    const signal = options.signal ?? controller.signal;
    const context: TaskContext = {
      taskId: `tsk_${this.namespace.replace(/-/g, '')}${this.taskCounter}`,
      attempt: options.attempt ?? 1,
      workerId: 'generation-test',
      deadline: new Date(Date.now() + 600_000),
      checkpoint: options.checkpoint ?? null,
      signal,
      progress: async (percent, message, checkpoint) => {
        const report = { percent, message, ...(checkpoint === undefined ? {} : { checkpoint }) };
        reports.push(report);
        options.onProgress?.(report);
      },
    };
    return { context, reports };
  }

  async generate(repository: { path: string; commit: string }, opportunity: Partial<Opportunity> & Pick<Opportunity, 'kind' | 'generator'>, context = this.context().context): Promise<GenerateOutput> {
    return this.service.generate(
      {
        repository: repository.path,
        commit: repository.commit,
        opportunity: { fingerprint: 'a'.repeat(16), title: `fix ${opportunity.kind}`, description: '', priority: 'LOW', files: [], ...opportunity },
        feedback: [],
        round: 1,
      },
      context,
    );
  }

  /** A fresh checkout with `diff` applied, for checking the result the way a validator would. */
  async withPatched<T>(repository: { path: string; commit: string }, diff: string, work: (workspace: EphemeralWorkspace) => Promise<T>): Promise<T> {
    return this.workspaces.withWorkspace(repository.path, repository.commit, async (workspace) => {
      if (diff) {
        const check = await workspace.checkPatch(diff);
        if (!check.applies) throw new Error(`the patch does not apply: ${check.reason}`);
        await workspace.applyPatch(diff);
      }
      return work(workspace);
    });
  }

  /** Runs a command in the sandbox on a workspace (the type check, the tests). */
  run(workspace: EphemeralWorkspace, command: string, args: string[], timeoutMs = 120_000): Promise<SandboxRunResult> {
    return this.sandbox.run({ ...workspace.sandboxPaths, command, args, timeoutMs, readOnlyPaths: [MESH_NODE_MODULES] });
  }

  /** Runs a Node.js script (with the mesh's node_modules on hand) in the sandbox on a workspace; returns its JSON output. */
  async script<T>(workspace: EphemeralWorkspace, source: string): Promise<T> {
    const result = await this.run(workspace, process.execPath, ['-e', source]);
    if (result.exitCode !== 0) throw new Error(`script failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  typeCheck(workspace: EphemeralWorkspace, extraArgs: string[] = []): Promise<SandboxRunResult> {
    return this.run(workspace, process.execPath, [TSC, '-p', 'tsconfig.json', ...extraArgs]);
  }

  async close(): Promise<void> {
    await this.metrics.stop();
    this.breaker.shutdown();
    this.breakers.onApplicationShutdown();
    rmSync(this.workspaces.baseDir, { recursive: true, force: true });
    rmSync(this.config.WORKSPACE_DIR!, { recursive: true, force: true });
  }
}
