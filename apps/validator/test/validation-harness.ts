import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { JsonValue, ValidateOutput, ValidationStageReport } from '@autocode/contracts';
import { GitClient } from '@autocode/git';
import { InfluxClient, type MetricPoint, MetricsWriter } from '@autocode/metrics';
import { BreakerRegistry, CircuitBreaker } from '@autocode/resilience';
import { Sandbox, WorkspaceManager } from '@autocode/sandbox';
import { RedisConnection } from '@autocode/state';
import { patchReplacing, type PatchFixture, TEST_INFRA, testNamespace } from '@autocode/testing';
import type { TaskContext } from '@autocode/worker';
import { WorkspaceRuntime } from '@autocode/workspace-runtime';
import { validatorConfigSchema, type ValidatorConfig } from '../src/config/validator.config';
import { ValidationConfigReader } from '../src/repository/repository-config.reader';
import { AdvisoryClient } from '../src/stages/advisory.client';
import { AiReviewer, AiReviewStage } from '../src/stages/ai-review.stage';
import { PerformanceStage } from '../src/stages/performance.stage';
import { ProtectedPathsStage } from '../src/stages/protected-paths.stage';
import { RepositoryChecksStage } from '../src/stages/repository-checks.stage';
import { SecurityStage } from '../src/stages/security.stage';
import { StaticAnalysisStage } from '../src/stages/static-analysis.stage';
import { SyntaxStage } from '../src/stages/syntax.stage';
import { UnitTestsStage } from '../src/stages/unit-tests.stage';
import { SandboxedTools } from '../src/toolchain/sandboxed-tools';
import { Toolchain } from '../src/toolchain/toolchain';
import { ValidationService } from '../src/validation/validation.service';
import { BaselineCheckRepository } from '../src/workspace/baseline-check.repository';

const execFileAsync = promisify(execFile);

/** Managers, Node.js majors and downloads, shared with the workspace-runtime specs (reruns are warm). */
export const SHARED_CACHE_DIR = process.env.WORKSPACE_TEST_CACHE_DIR || join(homedir(), '.cache', 'autocode', 'test-workspace');

/**
 * The validation service wired by hand over the real pieces: bubblewrap,
 * git checkouts, the workspace runtime against the real npm registry,
 * Redis for the baselines and InfluxDB for the metrics. Each harness has
 * its own Redis prefix and its own tree cache (its first prepare is cold).
 */
export class ValidationHarness {
  private taskCounter = 0;
  private readonly roots: string[] = [];

  private constructor(
    readonly namespace: string,
    readonly service: ValidationService,
    readonly runtime: WorkspaceRuntime,
    private readonly redis: RedisConnection,
    private readonly metrics: MetricsWriter,
    private readonly dirs: string[],
  ) {}

  static async create(): Promise<ValidationHarness> {
    const namespace = testNamespace('validator');
    const workspaceDir = mkdtempSync(join(tmpdir(), 'autocode-validator-it-'));
    const treeCacheDir = mkdtempSync(join(tmpdir(), 'autocode-validator-trees-'));
    const config: ValidatorConfig = validatorConfigSchema.parse({ ...process.env, MESH_SECRET: randomBytes(32).toString('hex'), SANDBOX_MODE: 'bubblewrap', WORKSPACE_DIR: workspaceDir, VALIDATOR_TESTS_TIMEOUT_MS: '180000' });
    const toolchain = Toolchain.locate();
    const sandbox = await Sandbox.create({ mode: config.SANDBOX_MODE, readOnlyPaths: [toolchain.nodeModules], defaultMemoryMb: config.VALIDATOR_MEMORY_MB });
    const runtime = new WorkspaceRuntime(sandbox, { cacheDir: SHARED_CACHE_DIR, treeCacheDir });
    const redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${namespace}:` });
    const breaker = new CircuitBreaker('influx', (points: MetricPoint[]) => new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase }).write(points));
    const metrics = new MetricsWriter(breaker, { service: 'validator-test', instanceId: namespace, flushIntervalMs: 1000 });
    const tools = new SandboxedTools(sandbox, toolchain, config);
    const stages = [
      new RepositoryChecksStage(runtime, new BaselineCheckRepository(redis)),
      new SyntaxStage(tools),
      new UnitTestsStage(tools),
      new StaticAnalysisStage(tools),
      new SecurityStage(new AdvisoryClient(new BreakerRegistry(), config)),
      new PerformanceStage(tools),
      new AiReviewStage(new AiReviewer(null)),
    ];
    const service = new ValidationService(
      new WorkspaceManager({ baseDir: workspaceDir }),
      new ValidationConfigReader(),
      metrics,
      config,
      stages,
      new ProtectedPathsStage(new GitClient()),
    );
    return new ValidationHarness(namespace, service, runtime, redis, metrics, [workspaceDir, treeCacheDir]);
  }

  async validate(repo: FixtureRepo, files: Record<string, string>): Promise<ValidateOutput> {
    return this.service.validate({ repository: repo.path, commit: repo.commit, patch: repo.patch(files) }, this.context());
  }

  /** A task context as the worker runtime would give it. */
  context(checkpoint: JsonValue | null = null): TaskContext {
    this.taskCounter += 1;
    return {
      taskId: `tsk_${this.namespace.replace(/[^a-z0-9]/gi, '')}${this.taskCounter}`,
      attempt: 1,
      workerId: 'validator-test',
      deadline: new Date(Date.now() + 900_000),
      checkpoint,
      signal: new AbortController().signal,
      progress: async () => undefined,
    };
  }

  /** A git repository with these files committed (objects become JSON); `lockfile` makes it with the real manager first. */
  async repo(files: Record<string, string | object>, lockfile: 'npm' | 'pnpm' | 'none' = 'npm'): Promise<FixtureRepo> {
    const root = mkdtempSync(join(tmpdir(), 'autocode-validator-repo-'));
    this.roots.push(root);
    const path = join(root, 'repo');
    mkdirSync(path);
    writeFiles(path, { '.gitignore': 'node_modules/\n', ...files });
    if (lockfile === 'npm') {
      await execFileAsync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--cache', join(SHARED_CACHE_DIR, 'npm-cache')], { cwd: path });
    } else if (lockfile === 'pnpm') {
      const pnpm = await this.runtime.toolchains.manager({ name: 'pnpm', versionSpec: '9', source: 'test', warnings: [] });
      await execFileAsync(process.execPath, [pnpm.entry, 'install', '--lockfile-only', '--ignore-scripts', '--store-dir', join(SHARED_CACHE_DIR, 'pnpm-store')], { cwd: path });
    }
    git(path, 'init', '--quiet', '-b', 'main');
    git(path, 'add', '-A');
    git(path, 'commit', '--quiet', '-m', 'fixture');
    return new FixtureRepo(path, git(path, 'rev-parse', 'HEAD').trim());
  }

  /** A git repository holding a copy of `dir` (without node_modules), committed. */
  repoFromDir(dir: string): FixtureRepo {
    const root = mkdtempSync(join(tmpdir(), 'autocode-validator-repo-'));
    this.roots.push(root);
    const path = join(root, 'repo');
    cpSync(dir, path, { recursive: true, filter: (source) => !source.includes('/node_modules') });
    git(path, 'init', '--quiet', '-b', 'main');
    git(path, 'add', '-A');
    git(path, 'commit', '--quiet', '-m', 'fixture');
    return new FixtureRepo(path, git(path, 'rev-parse', 'HEAD').trim());
  }

  async close(): Promise<void> {
    await this.metrics.stop();
    await this.redis.close();
    for (const dir of [...this.dirs, ...this.roots]) rmSync(dir, { recursive: true, force: true });
  }
}

export class FixtureRepo {
  constructor(
    readonly path: string,
    readonly commit: string,
  ) {}

  /** A unified diff that replaces (or adds) files, with its stats, as a generator would hand it over. */
  patch(files: Record<string, string>): PatchFixture {
    return patchReplacing(this.path, files);
  }
}

export function readSource(repo: FixtureRepo, file: string): string {
  return readFileSync(join(repo.path, file), 'utf8');
}

export function stageOf(output: ValidateOutput, name: string): ValidationStageReport {
  const stage = output.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no ${name} stage in ${output.stages.map((s) => s.name).join(', ')}`);
  return stage;
}

function writeFiles(dir: string, files: Record<string, string | object>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@autocode.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', GIT_CONFIG_NOSYSTEM: '1' },
  });
}
