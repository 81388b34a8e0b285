import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxClient } from '@autocode/metrics';
import { deleteNamespaceTopics, Mesh, TEST_INFRA, testNamespace, waitUntil } from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { ValidationFixture } from './validation-fixture';

interface StageReport {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  required: boolean;
  durationMs: number;
  summary: string;
  findings: string[];
}
interface Report {
  verdict: string;
  stages: StageReport[];
}

/** A validation type-checks, tests, lints and benchmarks twice over (with and without the change) on a shared, busy machine. */
const VALIDATION_TIMEOUT_MS = 360_000;
const TEST_TIMEOUT_MS = VALIDATION_TIMEOUT_MS + 30_000;

const STAGES = ['apply', 'protected-paths', 'repository-checks', 'syntax', 'unit-tests', 'static-analysis', 'security', 'performance', 'ai-review'];

/**
 * The validation pipeline end to end: validate tasks through the
 * orchestrator, run by the validator process in sandboxed checkouts of a
 * sample-like TypeScript repository. One clean patch passes every required
 * stage; each broken patch fails at its own stage, naming what it found.
 */
describe('validator: the six-stage pipeline', () => {
  const namespace = testNamespace('validate');
  const influx = new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase });
  const workspaces = mkdtempSync(join(tmpdir(), 'autocode-validator-ws-'));
  let fixture: ValidationFixture;
  let mesh: Mesh;
  let api: OrchestratorApi;

  beforeAll(async () => {
    fixture = ValidationFixture.create();
    mesh = await Mesh.start({
      namespace,
      targetRepository: fixture.repo,
      services: ['orchestrator', 'validator'],
      env: {
        orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' },
        // One validation at a time: the benchmark stage compares timings, which concurrent validations would blur.
        validator: { WORKER_CAPACITY: '1', WORKSPACE_DIR: workspaces },
      },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
  });

  afterAll(async () => {
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    fixture?.remove();
    rmSync(workspaces, { recursive: true, force: true });
  });

  async function validate(files: Record<string, string>): Promise<{ task: TaskView; report: Report; stage: (name: string) => StageReport }> {
    const created = await api.createTask({ type: 'validate', params: { repository: fixture.repo, commit: fixture.commit, patch: fixture.patch(files) } });
    const task = await api.waitForTaskState(created.id, ['COMPLETED', 'FAILED'], VALIDATION_TIMEOUT_MS);
    expect(task.state).toBe('COMPLETED');
    const report = task.output as Report;
    expect(report.stages.map((s) => s.name)).toEqual(STAGES);
    return { task, report, stage: (name) => report.stages.find((s) => s.name === name)! };
  }

  /** The other stages did their job on a change that only breaks one thing. */
  function expectOnlyFailure(report: Report, failing: string): void {
    const failures = report.stages.filter((s) => s.status === 'failed').map((s) => s.name);
    expect(failures).toEqual([failing]);
    expect(report.verdict).toBe('failed');
  }

  const pricing = (extra: string, body?: string) => (body ?? fixture.source('src/pricing.ts')) + extra;

  it('passes a clean change through every required stage; AI review is skipped, not passed', async () => {
    const { task, report, stage } = await validate({
      'src/pricing.ts': pricing('\n/** Total of the items after a discount. */\nexport function discountedTotal(items: LineItem[], percent: number): number {\n  return applyDiscount(subtotal(items), percent);\n}\n'),
    });
    expect(report.verdict).toBe('passed');
    for (const name of ['apply', 'protected-paths', 'syntax', 'unit-tests', 'static-analysis', 'security', 'performance']) {
      expect({ name, status: stage(name).status, required: stage(name).required }).toEqual({ name, status: 'passed', required: true });
    }
    expect(stage('ai-review')).toMatchObject({ status: 'skipped', required: false, summary: expect.stringMatching(/^no model is configured for AI review/) });
    // No lockfile and no dependencies: nothing for the workspace runtime to install, so the built-in stages judge it.
    expect(stage('repository-checks')).toMatchObject({ status: 'skipped', required: false, summary: expect.stringMatching(/no lockfile and no dependencies/) });
    expect(stage('performance').summary).toMatch(/median \d+ ms with the change vs \d+ ms without/);

    await waitUntil('validation_stage points for every stage', async () => {
      const rows = await influx.query<{ stage: string }>(`SELECT "duration_ms", "stage" FROM "validation_stage" WHERE "task_id" = '${task.id}'`);
      return STAGES.every((s) => rows.some((r) => r.stage === s));
    });
    // The checkouts are gone once the validation is over.
    expect(readdirSync(workspaces).filter((d) => d.startsWith('ws-'))).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('fails a change that breaks the types at the syntax stage, naming the error', async () => {
    const { report, stage } = await validate({ 'src/pricing.ts': pricing("\nexport const CURRENCY: number = 'EUR' as string;\n") });
    expectOnlyFailure(report, 'syntax');
    expect(stage('syntax').findings).toEqual([expect.stringMatching(/^src\/pricing\.ts:\d+ TS2322: Type 'string' is not assignable to type 'number'/)]);
  }, TEST_TIMEOUT_MS);

  it('fails a change that breaks a test at the unit-tests stage, naming the test', async () => {
    const broken = fixture.source('src/pricing.ts').replace('amount - (amount * percent) / 100', 'amount - percent');
    const { report, stage } = await validate({ 'src/pricing.ts': broken });
    expectOnlyFailure(report, 'unit-tests');
    expect(stage('unit-tests').findings).toContain('failing test: applies the discount');
  }, TEST_TIMEOUT_MS);

  it('fails a change that adds a lint error at the static-analysis stage, naming the rule', async () => {
    const { report, stage } = await validate({
      'src/pricing.ts': pricing('\nexport function roundCents(amount: number): number {\n  const unused = amount * 2;\n  return Math.round(amount * 100) / 100;\n}\n'),
    });
    expectOnlyFailure(report, 'static-analysis');
    expect(stage('static-analysis').findings).toEqual([expect.stringMatching(/^src\/pricing\.ts:\d+ @typescript-eslint\/no-unused-vars: 'unused' is assigned a value but never used/)]);
  }, TEST_TIMEOUT_MS);

  it('fails a change that hard-codes a secret at the security stage, without echoing it', async () => {
    const secret = randomBytes(24).toString('base64url');
    const { report, stage } = await validate({ 'src/payments.ts': `export const paymentApiKey = '${secret}';\n` });
    expectOnlyFailure(report, 'security');
    expect(stage('security').findings).toEqual([expect.stringMatching(/^src\/payments\.ts:1 secret\/hard-coded-secret: a hard-coded secret/)]);
    expect(JSON.stringify(report)).not.toContain(secret);
  }, TEST_TIMEOUT_MS);

  it('fails a change that makes the benchmark slower at the performance stage', async () => {
    const slow = fixture
      .source('src/pricing.ts')
      .replace('  return items.reduce(', '  const until = Date.now() + 5;\n  while (Date.now() < until) {\n    // busy: the slowdown under test\n  }\n  return items.reduce(');
    const { report, stage } = await validate({ 'src/pricing.ts': slow });
    expectOnlyFailure(report, 'performance');
    expect(stage('performance').findings).toEqual([expect.stringMatching(/^benchmark regression \+\d+ %: `test -d build \|\| tsc -p tsconfig.json > \/dev\/null; node bench.js`: median \d+ ms with the change vs \d+ ms without/)]);
  }, TEST_TIMEOUT_MS);

  it('fails a change that does not apply, skipping the rest', async () => {
    const created = await api.createTask({
      type: 'validate',
      params: {
        repository: fixture.repo,
        commit: fixture.commit,
        patch: { diff: 'diff --git a/src/nope.ts b/src/nope.ts\n--- a/src/nope.ts\n+++ b/src/nope.ts\n@@ -1 +1 @@\n-old\n+new\n', filesChanged: 1, insertions: 1, deletions: 1 },
      },
    });
    const task = await api.waitForTaskState(created.id, ['COMPLETED', 'FAILED'], 60_000);
    const report = task.output as Report;
    expect(report.verdict).toBe('failed');
    expect(report.stages[0]).toMatchObject({ name: 'apply', status: 'failed', required: true });
    expect(report.stages.slice(1).every((s) => s.status === 'skipped')).toBe(true);
  });
});
