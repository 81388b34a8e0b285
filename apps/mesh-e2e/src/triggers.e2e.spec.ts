import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deleteNamespaceTopics, Mesh, meshEnv, ServiceProcess, TEST_INFRA, testNamespace, waitUntil } from '@autocode/testing';
import { OrchestratorApi, type TriggerView } from './orchestrator-api';
import { createEmptyRepo } from './sample-repo';

type Recorded = TriggerView & { paths?: string; dedupeKey: string | null; reason: string };

/**
 * Every way a cycle starts is a recorded, de-duplicated trigger: changes to
 * watched files (after a quiet period), a schedule, the REST gateway with a
 * dedupe key. Two orchestrators watch the same checkout and record one
 * trigger per burst of changes.
 */
describe('triggers', () => {
  const namespace = testNamespace('trig');
  let repo: ReturnType<typeof createEmptyRepo>;
  let mesh: Mesh;
  let second: ServiceProcess;
  let api: OrchestratorApi;
  const watchEnv = { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: 'src/**', WATCH_DEBOUNCE_MS: '800' };

  beforeAll(async () => {
    repo = createEmptyRepo();
    mesh = await Mesh.start({ namespace, targetRepository: repo.path, services: ['orchestrator'], env: { orchestrator: watchEnv } });
    second = await ServiceProcess.start('orchestrator', { ...meshEnv(namespace, repo.path), ...watchEnv, INSTANCE_ID: `orchestrator-b-${namespace}` });
    api = new OrchestratorApi(mesh.orchestratorUrl);
  });

  afterAll(async () => {
    await second?.stop();
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    repo?.remove();
  });

  const triggers = async () => (await api.get<{ items: Recorded[] }>('/api/triggers?limit=100')).body.items;

  it('fires one trigger per burst of watched changes, after the quiet period, even with two orchestrators watching', async () => {
    mkdirSync(join(repo.path, 'src'), { recursive: true });
    mkdirSync(join(repo.path, 'docs'), { recursive: true });
    writeFileSync(join(repo.path, 'docs', 'ignored.md'), 'not watched\n');
    for (let i = 0; i < 3; i += 1) {
      writeFileSync(join(repo.path, 'src', `file-${i}.js`), `export const n = ${i};\n`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const fired = await waitUntil('a file-watch trigger', async () => (await triggers()).find((t) => t.source === 'file-watch'), { timeoutMs: 30_000 });
    expect(fired.reason).toBe('3 file(s) changed');
    expect(fired.runId).toMatch(/^run_/);
    // Both instances saw the burst; one trigger was recorded.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await triggers()).filter((t) => t.source === 'file-watch')).toHaveLength(1);
  });

  it('records a trigger once per dedupe key', async () => {
    const first = await api.post('/api/trigger-generation', { reason: 'nightly', dedupeKey: `nightly-${namespace}` });
    const again = await api.post('/api/trigger-generation', { reason: 'nightly again', dedupeKey: `nightly-${namespace}` });
    expect(first.body).toMatchObject({ deduplicated: false });
    expect(again.body).toMatchObject({ deduplicated: true, trigger: { id: (first.body.trigger as { id: string }).id } });
  });

  it('fires triggers from a schedule', async () => {
    await api.post('/api/schedules', { id: 'cycle-every-second', timing: { kind: 'interval', everyMs: 1000 }, target: { kind: 'trigger', trigger: { reason: 'scheduled' } } });
    const scheduled = await waitUntil('two scheduled triggers', async () => {
      const found = (await triggers()).filter((t) => t.source === 'schedule');
      return found.length >= 2 ? found : undefined;
    }, { timeoutMs: 15_000 });
    expect(new Set(scheduled.map((t) => t.dedupeKey)).size).toBe(scheduled.length);
    await api.post('/api/schedules/cycle-every-second/disable', {});
  });

  it('serves its OpenAPI document', async () => {
    const { status, body } = await api.get<{ openapi: string; paths: Record<string, unknown> }>('/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/tasks', '/api/tasks/{id}/cancel', '/api/schedules', '/api/workflows', '/api/workflow-runs/{id}', '/api/forecast', '/api/metrics/summary', '/api/trigger-generation']),
    );
  });
});
