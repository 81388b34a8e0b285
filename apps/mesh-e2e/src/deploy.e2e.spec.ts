import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxClient } from '@autocode/metrics';
import { deleteNamespaceTopics, freePort, Mesh, TEST_INFRA, testNamespace, waitUntil } from '@autocode/testing';
import { DeployFixture, WebhookReceiver, type FixturePatch } from './deploy-fixture';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { TestValidationRecords } from './validation-records';

const OPERATOR_KEY = `op-${randomBytes(12).toString('hex')}`;
const VIEWER_KEY = `vw-${randomBytes(12).toString('hex')}`;
const WEBHOOK_SECRET = `T0-${randomBytes(8).toString('hex')}`;

interface Deployment {
  id: string;
  status: string;
  revision: string | null;
  previousRevision: string | null;
  branch: string | null;
  approval: { required: boolean; decision?: string; decidedBy?: string; expiresAt?: string };
  audit: Array<{ actor: string; action: string; detail: string }>;
  awaitingTask?: boolean;
}

/**
 * The deployer through the orchestrator's task API, against a fixture
 * repository with a local bare remote and a real HTTP service its deploy
 * hook (re)starts: automatic development deploys, rollback on a failed
 * health check, staging approvals over REST with API keys, production's
 * soak time, rejection and approval timeouts — and the webhooks hearing it.
 */
describe('deployer: environments, approvals and rollback', () => {
  const namespace = testNamespace('deploy');
  const validations = new TestValidationRecords(namespace);
  const webhook = new WebhookReceiver();
  const influx = new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase });
  const workspace = mkdtempSync(join(tmpdir(), 'autocode-deployer-ws-'));
  const ports: Record<string, number> = {};
  let fixture: DeployFixture;
  let mesh: Mesh;
  let api: OrchestratorApi;
  let deployerUrl: string;

  beforeAll(async () => {
    for (const env of ['development', 'staging', 'production', 'manual']) ports[env] = await freePort();
    const healthChecks = `
      health_checks:
        - endpoint: /health
          timeout: 2s
          interval: 250ms
          retries: 12
          expect_body: '"revision":"{revision}"'`;
    const hook = (port: number, stateDir: string) => `
      deploy_hook:
        command: node deploy.js
        timeout: 30s
        env: { STATE_DIR: "${stateDir}", SERVICE_PORT: "${port}" }`;
    fixture = DeployFixture.create(ports.development, ({ remote, stateDir }) => `
deployment:
  environments:
    - name: development
      branch: develop
      remote: ${remote}
      auto_deploy: true
      url: http://127.0.0.1:${ports.development}
${hook(ports.development, stateDir)}
${healthChecks}
      notifications:
        - type: slack
          channel: dev-deployments
    - name: staging
      branch: release/*
      remote: origin
      requires_approval: true
      approval: { timeout: 10m }
      url: http://127.0.0.1:${ports.staging}
${hook(ports.staging, stateDir)}
${healthChecks}
    - name: production
      branch: main
      remote: ${remote}
      requires_approval: true
      schedule: "after 1h of staging"
      url: http://127.0.0.1:${ports.production}
      rollback: { enabled: true, on_failure: auto, max_attempts: 3 }
    - name: manual
      branch: manual
      remote: ${remote}
      url: http://127.0.0.1:${ports.manual}
      rollback: { enabled: true, on_failure: manual }
${hook(ports.manual, stateDir)}
${healthChecks}
    - name: qa
      branch: qa
      remote: ${remote}
      requires_approval: true
      approval: { timeout: 2s, on_timeout: reject }
`);
    await webhook.start();
    mesh = await Mesh.start({
      namespace,
      targetRepository: fixture.repo,
      services: ['orchestrator', 'deployer'],
      env: {
        orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' },
        deployer: {
          API_KEYS: `ops:operator:${OPERATOR_KEY},watcher:viewer:${VIEWER_KEY}`,
          DEPLOY_WORKSPACE_DIR: workspace,
          DEPLOY_APPROVAL_POLL_MS: '200',
          DEPLOY_WEBHOOK_URLS: webhook.url(`/services/${WEBHOOK_SECRET}`),
          // The services this test deploys and its webhook listen on loopback, which the egress policy refuses unless named.
          EGRESS_ALLOW: [webhook.port, ...Object.values(ports)].map((port) => `127.0.0.1:${port}`).join(','),
          WORKER_HEARTBEAT_INTERVAL_MS: '500',
        },
      },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    deployerUrl = mesh.service('deployer').url;
  });

  afterAll(async () => {
    await mesh?.stop();
    await validations.close();
    await webhook.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    fixture?.remove();
    rmSync(workspace, { recursive: true, force: true });
  });

  const call = async <T = Record<string, unknown>>(method: string, path: string, key?: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${deployerUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const deployment = async (id: string) => (await call<Deployment>('GET', `/api/deployments/${id}`, VIEWER_KEY)).body;
  const deploymentIdOf = (task: TaskView) => `dep_${task.id.replace(/^tsk_/, '')}`;

  // These specs are about deploying: each patch gets a passing validation record first, as the validator would write it (deploy-trust covers the real validator).
  const startDeploy = async (environment: string, patch: FixturePatch, title: string) => {
    await validations.pass(fixture.repo, fixture.commit, patch);
    return api.createTask({ type: 'deploy', params: { repository: fixture.repo, commit: fixture.commit, patch, environment, title } });
  };
  const finished = (task: TaskView) => api.waitForTaskState(task.id, ['COMPLETED', 'FAILED', 'CANCELLED'], 120_000);
  const serviceHealth = async (env: string) => (await (await fetch(`http://127.0.0.1:${ports[env]}/health`)).json()) as { revision: string; healthy: boolean };

  it('deploys to development automatically: committed on develop, pushed, hooked, healthy, announced', async () => {
    const before = fixture.remoteTip('develop')!;
    const task = await startDeploy('development', fixture.patch({ 'features/banner.json': { banner: 'welcome' } }), 'Add a welcome banner');
    const done = await finished(task);
    expect(done.state).toBe('COMPLETED');
    const output = done.output as Record<string, string>;
    expect(output).toMatchObject({ environment: 'development', outcome: 'deployed', branch: 'develop', strategy: 'direct', previousRevision: before, deploymentId: deploymentIdOf(task) });

    // The remote's develop is the deployed revision: the change, committed on top of what was there.
    expect(fixture.remoteTip('develop')).toBe(output.revision);
    expect(fixture.inRemote('rev-parse', `${output.revision}^`)).toBe(before);
    expect(fixture.inRemote('show', '--format=%s%n%b', '--stat', output.revision)).toMatch(/Add a welcome banner[\s\S]*Autocode-Deployment: dep_[\s\S]*features\/banner.json/);

    // The hook started the service from that revision, and it answers.
    expect(fixture.hooks().filter((h) => h.deployment === output.deploymentId)).toEqual([expect.objectContaining({ action: 'deploy', revision: output.revision })]);
    expect(await serviceHealth('development')).toEqual({ revision: output.revision, healthy: true });

    // The audit trail tells the story; the webhook heard it on the environment's channel.
    const record = await deployment(output.deploymentId);
    expect(record.audit.map((a) => a.action)).toEqual(expect.arrayContaining(['created', 'validated', 'auto-approved', 'committed', 'pushed', 'hook:deploy', 'health-check', 'deployed']));
    const [message] = await waitUntil('the deployed notification', () => webhook.about(output.deploymentId, 'deployed').length > 0 && webhook.about(output.deploymentId, 'deployed'));
    expect(message).toMatchObject({ channel: '#dev-deployments', text: expect.stringContaining('Deployed “Add a welcome banner” to *development*') });
    expect(webhook.messages.every((m) => m.path === `/services/${WEBHOOK_SECRET}`)).toBe(true);

    await waitUntil('a deployment_run point', async () => {
      const rows = await influx.query(`SELECT "duration_ms" FROM "deployment_run" WHERE "deployment_id" = '${output.deploymentId}' AND "outcome" = 'deployed'`);
      return rows.length === 1;
    });
  });

  it('rolls back when the health check fails: the remote branch is back at the previous revision', async () => {
    const healthy = await finished(await startDeploy('development', fixture.patch({ 'features/a.json': { a: 1 } }), 'A healthy change'));
    expect(healthy.output).toMatchObject({ outcome: 'deployed' });
    const previous = fixture.remoteTip('develop')!;

    const task = await startDeploy('development', fixture.patch({ 'features/zz-broken.json': { healthy: false } }), 'A change that breaks health');
    const done = await finished(task);
    expect(done.state).toBe('COMPLETED');
    const output = done.output as Record<string, string>;
    expect(output).toMatchObject({ outcome: 'rolled-back', previousRevision: previous, summary: expect.stringMatching(/health check failed: .*\/health: status 503 after 13 attempts/) });

    // develop: previous → bad change → its revert; the tree is the previous revision's again.
    const tip = fixture.remoteTip('develop')!;
    expect(output.revision).toBe(tip);
    const bad = fixture.inRemote('rev-parse', `${tip}^`);
    expect(fixture.inRemote('rev-parse', `${bad}^`)).toBe(previous);
    expect(fixture.inRemote('rev-parse', `${tip}^{tree}`)).toBe(fixture.inRemote('rev-parse', `${previous}^{tree}`));
    expect(fixture.inRemote('log', '-1', '--format=%B', tip)).toMatch(new RegExp(`Autocode-Rollback-Of: ${bad}`));

    // The hook ran again for the rollback, and the service is healthy on the restored tree.
    const calls = fixture.hooks().filter((h) => h.deployment === output.deploymentId);
    expect(calls.map((h) => [h.action, h.revision])).toEqual([
      ['deploy', bad],
      ['rollback', tip],
    ]);
    expect(await serviceHealth('development')).toEqual({ revision: tip, healthy: true });
    const record = await deployment(output.deploymentId);
    expect(record.status).toBe('rolled-back');
    await waitUntil('the rolled-back notification', () => webhook.about(output.deploymentId, 'rolled-back').length === 1);
  });

  it('holds staging until an operator approves; the approver is in the audit trail', async () => {
    const task = await startDeploy('staging', fixture.patch({ 'features/staging-1.json': { s: 1 } }), 'Staging candidate');
    const id = deploymentIdOf(task);
    const pending = await waitUntil('the deployment to await approval', async () => {
      const { body } = await call<{ items: Deployment[] }>('GET', '/api/deployments/pending', VIEWER_KEY);
      return body.items.find((d) => d.id === id && d.awaitingTask);
    });
    expect(pending).toMatchObject({ status: 'awaiting-approval', approval: { required: true } });
    const running = await api.waitForTaskState(task.id, ['RUNNING']);
    await waitUntil('progress to say it awaits approval', async () => {
      const { body } = await api.get<TaskView & { progress: { message: string } | null }>(`/api/tasks/${running.id}`);
      return /awaiting approval/.test(body.progress?.message ?? '');
    });
    // Nothing has been pushed while it waits.
    expect(fixture.remoteBranches().filter((b) => b.startsWith('release/'))).toEqual([]);
    await waitUntil('the approval-requested notification', () => webhook.about(id, 'approval-requested').length === 1);

    // Approving takes an operator's key.
    expect(await call('POST', `/api/deployments/${id}/approve`, undefined, {})).toMatchObject({ status: 401 });
    expect(await call('POST', `/api/deployments/${id}/approve`, VIEWER_KEY, {})).toMatchObject({
      status: 403,
      body: { message: 'the API key "watcher" has role viewer; this action needs operator or higher' },
    });
    expect(await call('POST', `/api/deployments/${id}/approve`, OPERATOR_KEY, { comment: 123 })).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^body\.comment: /) } });
    const approved = await call<Deployment>('POST', `/api/deployments/${id}/approve`, OPERATOR_KEY, { comment: 'looks good' });
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved', approval: { decision: 'approved', decidedBy: 'ops' } } });
    expect(await call('POST', `/api/deployments/${id}/approve`, OPERATOR_KEY, {})).toMatchObject({ status: 409 });

    const done = await finished(task);
    const output = done.output as Record<string, string>;
    expect(output).toMatchObject({ outcome: 'deployed', approvedBy: 'ops', branch: expect.stringMatching(/^release\/\d{4}-\d{2}-\d{2}$/) });
    expect(fixture.remoteTip(output.branch)).toBe(output.revision);
    expect(await serviceHealth('staging')).toMatchObject({ revision: output.revision });
    const record = await deployment(id);
    expect(record.audit).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'ops', action: 'approved', detail: 'looks good' })]));
    const actions = record.audit.map((a) => a.action);
    expect(actions.indexOf('approval-requested')).toBeLessThan(actions.indexOf('approved'));
    expect(actions.indexOf('approved')).toBeLessThan(actions.indexOf('committed'));
  });

  it('refuses production before the change has soaked in staging for the configured time', async () => {
    const patch = fixture.patch({ 'features/soak.json': { soak: true } });
    const unstaged = await finished(await startDeploy('production', patch, 'Straight to production'));
    expect(unstaged.output).toMatchObject({
      outcome: 'refused',
      summary: 'production takes a change only after it has been live in staging for 1h; this change is not live in staging',
    });

    const staging = await startDeploy('staging', patch, 'Soak candidate');
    await waitUntil('the staging approval', async () => (await deployment(deploymentIdOf(staging))).status === 'awaiting-approval');
    expect((await call('POST', `/api/deployments/${deploymentIdOf(staging)}/approve`, OPERATOR_KEY, {})).status).toBe(200);
    expect((await finished(staging)).output).toMatchObject({ outcome: 'deployed' });

    const early = await finished(await startDeploy('production', patch, 'Soak candidate'));
    expect(early.output).toMatchObject({ outcome: 'refused', summary: expect.stringMatching(/it went live there \d+s ago \(deployment dep_.+\), so not before \d{4}-/) });
    // Refused before anything was asked or pushed.
    expect(fixture.remoteTip('main')).toBe(fixture.commit);
    expect((await deployment(deploymentIdOf(early))).audit.map((a) => a.action)).toEqual(['created', 'validated', 'refused']);
  });

  it('ends a rejected deployment and an unanswered one without touching their branches', async () => {
    const task = await startDeploy('staging', fixture.patch({ 'features/rejected.json': { r: 1 } }), 'Not this one');
    const id = deploymentIdOf(task);
    await waitUntil('the approval request', async () => (await deployment(id)).status === 'awaiting-approval');
    const tips = fixture.remoteBranches().map((b) => `${b}=${fixture.remoteTip(b)}`);
    expect(await call('POST', `/api/deployments/${id}/reject`, OPERATOR_KEY, { comment: 'wrong week' })).toMatchObject({ status: 200, body: { status: 'rejected' } });
    expect((await finished(task)).output).toMatchObject({ outcome: 'rejected', summary: 'rejected by ops: wrong week' });

    const unanswered = await finished(await startDeploy('qa', fixture.patch({ 'features/qa.json': { q: 1 } }), 'Nobody looks'));
    expect(unanswered.output).toMatchObject({ outcome: 'expired', summary: expect.stringMatching(/no decision by .*: the approval window closed/) });
    expect(fixture.remoteTip('qa')).toBeNull();
    expect(fixture.remoteBranches().map((b) => `${b}=${fixture.remoteTip(b)}`)).toEqual(tips);
    await waitUntil('the rejected and expired notifications', () => webhook.about(id, 'rejected').length === 1 && webhook.about(deploymentIdOf(unanswered), 'expired').length === 1);
  });

  it('leaves a failed deployment to an operator when rollback is manual, and rolls it back on request', async () => {
    const good = (await finished(await startDeploy('manual', fixture.patch({ 'features/m.json': { m: 1 } }), 'Manual one'))).output as Record<string, string>;
    expect(good).toMatchObject({ outcome: 'deployed' });
    const task = await startDeploy('manual', fixture.patch({ 'features/zz-broken.json': { healthy: false } }), 'Manual broken');
    const failed = await finished(task);
    expect(failed).toMatchObject({ state: 'FAILED', error: { retryable: false, message: expect.stringMatching(/failed: health check failed: .*rollback is manual/) } });
    const id = deploymentIdOf(task);
    const bad = fixture.remoteTip('manual')!;
    expect((await deployment(id)).status).toBe('failed');
    await waitUntil('the failed notification', () => webhook.about(id, 'failed').length === 1);

    expect(await call('POST', `/api/deployments/${id}/rollback`, VIEWER_KEY, { reason: 'broken' })).toMatchObject({ status: 403 });
    expect(await call('POST', `/api/deployments/${id}/rollback`, OPERATOR_KEY, {})).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^body\.reason: /) } });
    expect(await call('POST', `/api/deployments/${good.deploymentId}/rollback`, OPERATOR_KEY, { reason: 'old' })).toMatchObject({ status: 409 });
    const rolled = await call<Deployment>('POST', `/api/deployments/${id}/rollback`, OPERATOR_KEY, { reason: 'health is red' });
    expect(rolled).toMatchObject({ status: 200, body: { status: 'rolled-back' } });
    expect(rolled.body.audit).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'ops', action: 'rolling-back', detail: 'rolled back by ops: health is red' })]));
    const tip = fixture.remoteTip('manual')!;
    expect(fixture.inRemote('rev-parse', `${tip}^`)).toBe(bad);
    expect(fixture.inRemote('rev-parse', `${tip}^{tree}`)).toBe(fixture.inRemote('rev-parse', `${good.revision}^{tree}`));
    expect(await serviceHealth('manual')).toEqual({ revision: tip, healthy: true });
  });

  it('without autocode.yaml, deploys to the develop branch of the target repository itself (the documented default)', async () => {
    const bare = DeployFixture.create(await freePort(), () => 'validation:\n  required: []\n');
    try {
      const patch = bare.patch({ 'features/default.json': { d: 1 } });
      await validations.pass(bare.repo, bare.commit, patch);
      const task = await api.createTask({ type: 'deploy', params: { repository: bare.repo, commit: bare.commit, patch, environment: 'development', title: 'Default environment' } });
      const output = (await finished(task)).output as Record<string, string>;
      expect(output).toMatchObject({ outcome: 'deployed', environment: 'development', branch: 'develop', strategy: 'direct', previousRevision: bare.commit });
      const local = (ref: string) => execFileSync('git', ['-C', bare.repo, 'rev-parse', ref], { encoding: 'utf8' }).trim();
      expect(local('refs/heads/develop')).toBe(output.revision);
      expect(local(`${output.revision}^`)).toBe(bare.commit);
      expect(local('HEAD')).toBe(bare.commit); // the checked-out branch is untouched

      const other = await finished(await api.createTask({ type: 'deploy', params: { repository: bare.repo, commit: bare.commit, patch, environment: 'staging', title: 'Nowhere' } }));
      expect(other).toMatchObject({ state: 'FAILED', error: { message: expect.stringMatching(/environment "staging" is not defined in the default configuration/), retryable: false } });
    } finally {
      bare.remove();
    }
    // A restarted deployer sweeps the workspaces of repositories that are gone, and keeps the others.
    const sourcesOf = () => readdirSync(workspace).map((dir) => readFileSync(join(workspace, dir, 'source.json'), 'utf8'));
    expect(sourcesOf().some((s) => s.includes(bare.repo))).toBe(true);
    await mesh.service('deployer').restart();
    expect(sourcesOf().some((s) => s.includes(bare.repo))).toBe(false);
    expect(sourcesOf().some((s) => s.includes(fixture.repo))).toBe(true);
  });

  it('never writes the webhook secret or the API keys to its logs', () => {
    const logs = mesh.service('deployer').logs();
    expect(logs).not.toContain(WEBHOOK_SECRET);
    expect(logs).not.toContain(OPERATOR_KEY);
    expect(logs).not.toContain(VIEWER_KEY);
  });
});
