import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplication, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { GenerateParams } from '@autocode/contracts';
import { PlatformModule } from '@autocode/platform';
import { baseEnvSchema, envFields, loadConfig, ServiceRunner } from '@autocode/runtime';
import { KnowledgeBase } from '@autocode/knowledge';
import { RedisConnection } from '@autocode/state';
import { deleteNamespaceTopics, Mesh, meshEnv, TEST_INFRA, testNamespace } from '@autocode/testing';
import { builtInTaskHandler, WorkerModule, WorkerRuntime, workerEnvFields, workerOptionsFrom } from '@autocode/worker';
import { OrchestratorApi } from './orchestrator-api';
import { ValidationFixture } from './validation-fixture';

/** Three generate/validate rounds, each validation type-checking and testing both trees. */
const RUN_TIMEOUT_MS = 900_000;

/**
 * The validator's findings reach the next round (SPEC F-49): an
 * improvement run on the real orchestrator and validator, whose generate
 * tasks are taken by a generation-pool worker in this process that hands
 * over a patch breaking a test every round and keeps the params it got.
 * Round 2 must receive round 1's validation feedback, round 3 round 2's.
 * A base commit whose dependencies cannot be installed gives cannot-validate:
 * no next round, no deploy, nothing recorded against the generator.
 */
describe('validator feedback reaches the next generation round', () => {
  const namespace = testNamespace('feedback');
  const workspaces = mkdtempSync(join(tmpdir(), 'autocode-feedback-ws-'));
  const received: GenerateParams[] = [];
  let fixture: ValidationFixture;
  let mesh: Mesh;
  let api: OrchestratorApi;
  let generator: INestApplication | undefined;
  let redis: RedisConnection | undefined;
  const opportunity = (kind: string) => ({ fingerprint: 'feedbac0feedbac0', kind, title: 'probe', description: '', priority: 'LOW', files: ['src/pricing.ts'], generator: 'feedback-probe' });

  beforeAll(async () => {
    fixture = ValidationFixture.create();
    mesh = await Mesh.start({
      namespace,
      targetRepository: fixture.repo,
      services: ['orchestrator', 'validator'],
      env: { orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' }, validator: { WORKSPACE_DIR: workspaces } },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    const broken = fixture.patch({ 'src/pricing.ts': fixture.source('src/pricing.ts').replace('amount - (amount * percent) / 100', 'amount - percent') });
    const harmless = fixture.patch({ 'src/pricing.ts': `${fixture.source('src/pricing.ts')}\n// A harmless change.\n` });
    generator = await startGenerateWorker(namespace, fixture.repo, async (params) => {
      received.push(params);
      // The unjudged case gets a change nothing objects to, so only the missing dependency decides.
      return { generator: 'feedback-probe', outcome: 'patch', patch: params.opportunity.kind === 'probe-unjudged' ? harmless : broken };
    });
  });

  afterAll(async () => {
    await generator?.close();
    await redis?.close();
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    fixture?.remove();
    rmSync(workspaces, { recursive: true, force: true });
  });

  it('passes each failed validation’s feedback to the next generate task; the last failure fails its node and nothing is deployed', async () => {
    const started = await api.post('/api/workflows/improvement/runs', {
      params: {
        repository: fixture.repo,
        commit: fixture.commit,
        environment: 'development',
        opportunity: opportunity('probe-kind'),
      },
    });
    expect(started.status).toBe(201);
    const run = await api.waitForRun(String(started.body.id), RUN_TIMEOUT_MS);
    // The last round's failed verdict fails its node (failWhen); the run ends with nothing deployed.
    expect(run.status).toBe('PARTIAL_SUCCESS');
    const node = (id: string) => run.nodes.find((n) => n.nodeId === id)!;
    expect(node('validate_3').status).toBe('FAILED');
    const validations = await Promise.all(['validate_1', 'validate_2', 'validate_3'].map(async (id) => (await api.task(node(id).taskId!)).output as { verdict: string; feedback: string[] }));
    for (const validation of validations) {
      expect(validation.verdict).toBe('failed');
      expect(validation.feedback).toEqual(expect.arrayContaining(['unit-tests: failing test: applies the discount']));
    }
    const generates = await Promise.all(['generate_1', 'generate_2', 'generate_3'].map(async (id) => (await api.task(node(id).taskId!)).params as GenerateParams));
    expect(generates.map((g) => g.round)).toEqual([1, 2, 3]);
    expect(generates[0].feedback).toEqual([]);
    expect(generates[1].feedback).toEqual(validations[0].feedback);
    expect(generates[2].feedback).toEqual(validations[1].feedback);
    // What the worker was handed is what the task says.
    expect(received.filter((p) => p.opportunity.kind === 'probe-kind').map((p) => p.feedback)).toEqual(generates.map((g) => g.feedback));
    expect(node('deploy').status).toBe('SKIPPED');
  }, RUN_TIMEOUT_MS + 30_000);

  it('a patch that cannot be validated (a locked dependency the registry does not have) is not retried, not deployed and not held against the generator', async () => {
    const missing = `@autocode-test-${namespace.replace(/[^a-z0-9]/g, '').slice(-20)}/does-not-exist`;
    const manifest = { name: 'validation-fixture', version: '1.0.0', private: true, scripts: { test: 'node --test test/' }, dependencies: { [missing]: '1.0.0' } };
    const commit = fixture.commitOnBranch('uninstallable', {
      'package.json': manifest,
      'package-lock.json': {
        name: 'validation-fixture',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'validation-fixture', version: '1.0.0', dependencies: { [missing]: '1.0.0' } }, [`node_modules/${missing}`]: { version: '1.0.0', resolved: `https://registry.npmjs.org/${missing}/-/does-not-exist-1.0.0.tgz` } },
      },
    });
    const started = await api.post('/api/workflows/improvement/runs', { params: { repository: fixture.repo, commit, environment: 'development', opportunity: opportunity('probe-unjudged') } });
    expect(started.status).toBe(201);
    const run = await api.waitForRun(String(started.body.id), RUN_TIMEOUT_MS);
    const node = (id: string) => run.nodes.find((n) => n.nodeId === id)!;
    const validation = (await api.task(node('validate_1').taskId!)).output as { verdict: string; feedback: string[]; stages: Array<{ name: string; cannotValidate?: boolean; summary: string }> };
    expect(validation.verdict).toBe('cannot-validate');
    expect(validation.feedback).toEqual([]);
    expect(validation.stages.find((s) => s.name === 'repository-checks')).toMatchObject({ cannotValidate: true, summary: expect.stringMatching(/dependency-unavailable/) });
    for (const id of ['generate_2', 'validate_2', 'generate_3', 'validate_3', 'deploy']) expect({ id, status: node(id).status }).toEqual({ id, status: 'SKIPPED' });

    // The orchestrator's knowledge recorder runs when validate_1 finishes, before the run moves on: by now it has decided.
    redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${namespace}:` });
    expect(await new KnowledgeBase(redis).records(['probe-unjudged'])).toEqual([]);
  }, RUN_TIMEOUT_MS + 30_000);
});

/** A generation-pool worker taking `generate` tasks, run in the test process as its own Nest application. */
async function startGenerateWorker(namespace: string, repo: string, run: Parameters<typeof builtInTaskHandler<'generate'>>[1]): Promise<INestApplication> {
  @Module({})
  class ProbeModule implements OnModuleInit {
    constructor(private readonly worker: WorkerRuntime) {}
    onModuleInit(): void {
      this.worker.register(builtInTaskHandler('generate', run));
    }
  }
  const config = loadConfig('feedback-probe', baseEnvSchema.extend({ ...workerEnvFields, HTTP_PORT: envFields.port(0) }), {
    ...meshEnv(namespace, repo),
    INSTANCE_ID: `feedback-probe-${namespace}`,
    LOG_LEVEL: 'silent',
  });
  @Module({ imports: [PlatformModule.forRoot('feedback-probe', config), WorkerModule.forRoot(workerOptionsFrom('generation', config)), ProbeModule] })
  class ProbeWorkerApp {}
  const app = await NestFactory.create(ProbeWorkerApp, { logger: false });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  await app.get(ServiceRunner).startAll();
  return app;
}
