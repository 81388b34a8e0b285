import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxClient } from '@autocode/metrics';
import { deleteNamespaceTopics, freePort, Mesh, TEST_INFRA, testNamespace, waitUntil } from '@autocode/testing';
import { DeployFixture, type FixturePatch } from './deploy-fixture';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { TestValidationRecords } from './validation-records';

const OPERATOR_KEY = `op-${randomBytes(12).toString('hex')}`;

interface Deployment {
  id: string;
  status: string;
  revision: string | null;
  canary?: { steps: Array<{ weight: number; verdict: string; requests: number; errorRate: number | null }> };
  audit: Array<{ actor: string; action: string; detail: string }>;
}

/**
 * Deployment strategies end to end: canary steps gated on error rate read
 * from InfluxDB (the test writes the service's request points), blue-green
 * slots switched only after the idle slot is healthy, and a change shipped
 * dark behind a feature flag that an operator turns on.
 */
describe('deployer: canary, blue-green and feature flags', () => {
  const namespace = testNamespace('strategy');
  const validations = new TestValidationRecords(namespace);
  const influx = new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase });
  const workspace = mkdtempSync(join(tmpdir(), 'autocode-deployer-ws-'));
  const ports: Record<string, number> = {};
  let fixture: DeployFixture;
  let mesh: Mesh;
  let api: OrchestratorApi;
  let deployerUrl: string;

  beforeAll(async () => {
    for (const name of ['canary', 'blue', 'green', 'flagged']) ports[name] = await freePort();
    const hook = (port: number, stateDir: string) => `
      deploy_hook:
        command: node deploy.js
        timeout: 30s
        env: { STATE_DIR: "${stateDir}", SERVICE_PORT: "${port}" }`;
    const health = `
      health_checks:
        - endpoint: /health
          timeout: 2s
          interval: 250ms
          retries: 8
          expect_body: '"revision":"{revision}"'`;
    fixture = DeployFixture.create(ports.canary, ({ remote, stateDir }) => `
deployment:
  environments:
    - name: canary
      branch: canary
      remote: ${remote}
      url: http://127.0.0.1:${ports.canary}
      strategy: canary
      canary:
        steps: [25, 100]
        observe: 10m
        check_interval: 300ms
        gate: { error_rate_max: 0.1, min_requests: 5 }
${hook(ports.canary, stateDir)}
${health}
    - name: canary-quiet
      branch: canary-quiet
      remote: ${remote}
      url: http://127.0.0.1:${ports.canary}
      strategy: canary
      canary:
        steps: [25, 100]
        observe: 1s
        check_interval: 300ms
        gate: { min_requests: 0 }
${hook(ports.canary, stateDir)}
${health}
    - name: blue-green
      branch: bluegreen
      remote: ${remote}
      strategy: blue-green
      blue_green:
        slots:
          blue: { url: "http://127.0.0.1:${ports.blue}" }
          green: { url: "http://127.0.0.1:${ports.green}" }
${hook(0, stateDir)}
${health}
    - name: flagged
      branch: flagged
      remote: ${remote}
      url: http://127.0.0.1:${ports.flagged}
      strategy: feature-flag
${hook(ports.flagged, stateDir)}
${health}
`);
    mesh = await Mesh.start({
      namespace,
      targetRepository: fixture.repo,
      services: ['orchestrator', 'deployer'],
      env: {
        orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' },
        deployer: {
          API_KEYS: `ops:operator:${OPERATOR_KEY}`,
          DEPLOY_WORKSPACE_DIR: workspace,
          WORKER_HEARTBEAT_INTERVAL_MS: '500',
          // The services this test deploys listen on loopback, which the egress policy refuses unless named.
          EGRESS_ALLOW: Object.values(ports).map((port) => `127.0.0.1:${port}`).join(','),
        },
      },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    deployerUrl = mesh.service('deployer').url;
  });

  afterAll(async () => {
    await mesh?.stop();
    await validations.close();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    fixture?.remove();
    rmSync(workspace, { recursive: true, force: true });
  });

  const call = async <T = Record<string, unknown>>(method: string, path: string, key?: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${deployerUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const deployment = async (id: string) => (await call<Deployment>('GET', `/api/deployments/${id}`, OPERATOR_KEY)).body;
  const deploymentIdOf = (task: TaskView) => `dep_${task.id.replace(/^tsk_/, '')}`;
  // These specs are about deploying: each patch gets a passing validation record first, as the validator would write it (deploy-trust covers the real validator).
  const startDeploy = async (environment: string, patch: FixturePatch, title: string) => {
    await validations.pass(fixture.repo, fixture.commit, patch);
    return api.createTask({ type: 'deploy', params: { repository: fixture.repo, commit: fixture.commit, patch, environment, title } });
  };
  const finished = (task: TaskView) => api.waitForTaskState(task.id, ['COMPLETED', 'FAILED', 'CANCELLED'], 120_000);
  const get = async (port: number, path: string) => (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as Record<string, unknown>;

  it('aborts a canary when its error-rate gate trips, and rolls back', async () => {
    const before = fixture.commit; // the canary branch does not exist yet: it starts from the change's base commit
    const task = await startDeploy('canary', fixture.patch({ 'features/canary.json': { c: 1 } }), 'A risky change');
    const id = deploymentIdOf(task);
    // The first step (25 %) is live and watched; the service's requests at that revision reach InfluxDB.
    const watched = await waitUntil('the first canary step to be watched', async () => {
      const record = await deployment(id);
      return record.canary?.steps[0]?.verdict === 'running' && record.audit.some((a) => a.action === 'health-check') ? record : undefined;
    });
    const revision = watched.revision!;
    const now = Date.now();
    await influx.write(
      Array.from({ length: 10 }, (_, i) => ({
        measurement: 'http_requests',
        tags: { environment: 'canary', revision },
        fields: { error: i < 5 ? 1 : 0, duration_ms: 20 + i },
        timestampNs: `${BigInt(now + i) * 1_000_000n}`,
      })),
    );

    const done = await finished(task);
    expect(done.state).toBe('COMPLETED');
    expect(done.output).toMatchObject({
      outcome: 'rolled-back',
      strategy: 'canary',
      summary: expect.stringContaining('canary aborted at canary step 1/2 (25 %): error rate 50.0 % over 10 requests exceeds 10.0 %'),
    });
    const record = await deployment(id);
    expect(record.canary?.steps).toEqual([expect.objectContaining({ weight: 25, verdict: 'failed', requests: 10, errorRate: 0.5 })]);
    // The hook heard 25 %, then the rollback at 0 % — never 100 %.
    expect(fixture.hooks().filter((h) => h.deployment === id).map((h) => [h.action, h.weight])).toEqual([
      ['canary', '25'],
      ['rollback', '0'],
    ]);
    const tip = fixture.remoteTip('canary')!;
    expect(fixture.inRemote('rev-parse', `${tip}^{tree}`)).toBe(fixture.inRemote('rev-parse', `${before}^{tree}`));
  });

  it('walks a canary through every step when its gate holds', async () => {
    const task = await startDeploy('canary-quiet', fixture.patch({ 'features/quiet.json': { q: 1 } }), 'A quiet change');
    const done = await finished(task);
    expect(done.output).toMatchObject({ outcome: 'deployed', strategy: 'canary' });
    const id = deploymentIdOf(task);
    expect(fixture.hooks().filter((h) => h.deployment === id).map((h) => h.weight)).toEqual(['25', '100']);
    expect((await deployment(id)).canary?.steps.map((s) => [s.weight, s.verdict])).toEqual([
      [25, 'passed'],
      [100, 'passed'],
    ]);
  });

  it('switches blue-green traffic only after the idle slot is healthy', async () => {
    const first = await startDeploy('blue-green', fixture.patch({ 'features/bg-1.json': { v: 1 } }), 'Blue-green one');
    const one = (await finished(first)).output as Record<string, string>;
    expect(one).toMatchObject({ outcome: 'deployed', strategy: 'blue-green' });
    expect(fixture.activeSlot()).toBe('blue');
    const firstAudit = (await deployment(one.deploymentId)).audit.map((a) => a.action);
    expect(firstAudit.indexOf('blue-health-check')).toBeGreaterThan(firstAudit.indexOf('hook:deploy'));
    expect(firstAudit.indexOf('blue-health-check')).toBeLessThan(firstAudit.indexOf('hook:switch'));
    expect(await get(ports.blue, '/health')).toMatchObject({ revision: one.revision });

    // An unhealthy change goes to green, fails there, and traffic never leaves blue.
    const second = await startDeploy('blue-green', fixture.patch({ 'features/zz-broken.json': { healthy: false } }), 'Blue-green broken');
    const two = (await finished(second)).output as Record<string, string>;
    expect(two).toMatchObject({ outcome: 'rolled-back', summary: expect.stringMatching(/slot green failed its health check: .*status 503.*traffic stays on blue/) });
    expect(fixture.hooks().filter((h) => h.deployment === two.deploymentId).map((h) => [h.action, h.slot])).toEqual([['deploy', 'green']]);
    expect(fixture.activeSlot()).toBe('blue');
    expect(await get(ports.blue, '/health')).toMatchObject({ revision: one.revision, healthy: true });

    // A healthy change then takes green and the switch; blue keeps running for an instant rollback.
    const third = await startDeploy('blue-green', fixture.patch({ 'features/bg-3.json': { v: 3 } }), 'Blue-green three');
    const three = (await finished(third)).output as Record<string, string>;
    expect(three).toMatchObject({ outcome: 'deployed' });
    expect(fixture.hooks().filter((h) => h.deployment === three.deploymentId).map((h) => [h.action, h.slot])).toEqual([
      ['deploy', 'green'],
      ['switch', 'green'],
    ]);
    expect(fixture.activeSlot()).toBe('green');
    expect(await get(ports.green, '/health')).toMatchObject({ revision: three.revision, healthy: true });
    expect(await get(ports.blue, '/health')).toMatchObject({ revision: one.revision });
    const { body } = await call<{ items: Array<{ environment: string; activeSlot: string; slots: Record<string, string> }> }>('GET', '/api/environments', OPERATOR_KEY);
    expect(body.items.find((e) => e.environment === 'blue-green')).toMatchObject({ activeSlot: 'green', slots: { blue: one.revision, green: three.revision } });
  });

  it('ships a flagged change dark until an operator turns its flag on', async () => {
    const task = await startDeploy('flagged', fixture.patch({ 'features/flag.json': { flaggedGreeting: 'hola' } }), 'Say hola');
    const output = (await finished(task)).output as { outcome: string; revision: string; featureFlag: { name: string; enabled: boolean } };
    const name = `deploy-${deploymentIdOf(task)}`;
    expect(output).toMatchObject({ outcome: 'deployed', strategy: 'feature-flag', featureFlag: { name, enabled: false } });

    // Deployed (the service runs the new revision) but off.
    expect(await get(ports.flagged, '/greeting')).toEqual({ revision: output.revision, greeting: 'hello' });
    expect(await call('GET', `/api/flags/${name}/state`)).toEqual({ status: 200, body: { name, enabled: false } });

    expect(await call('PUT', `/api/flags/${name}`, undefined, { enabled: true })).toMatchObject({ status: 401 });
    expect(await call('PUT', `/api/flags/${name}`, OPERATOR_KEY, { enabled: 'yes' })).toMatchObject({ status: 400 });
    const toggled = await call<{ enabled: boolean; updatedBy: string; history: unknown[] }>('PUT', `/api/flags/${name}`, OPERATOR_KEY, { enabled: true, comment: 'go' });
    expect(toggled).toMatchObject({ status: 200, body: { enabled: true, updatedBy: 'ops' } });
    expect(await get(ports.flagged, '/greeting')).toEqual({ revision: output.revision, greeting: 'hola' });
    expect(await call('GET', '/api/flags/no-such-flag/state')).toMatchObject({ status: 404 });
  });
});
