import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisConnection } from '@autocode/state';
import { deleteNamespaceTopics, freePort, Mesh, TEST_API_KEYS, TEST_INFRA, TEST_MESH_SECRET, testNamespace } from '@autocode/testing';
import { patchSha256, repositoryIdentity, ValidationRecordRepository } from '@autocode/validation-record';
import { DeployFixture, type FixturePatch } from './deploy-fixture';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { TestValidationRecords } from './validation-records';

/** Generated per run: what a hook is given on purpose, and what it must never see. */
const DEPLOY_TOKEN = `dt-${randomBytes(12).toString('hex')}`;
const OTHER_TOKEN = `ot-${randomBytes(12).toString('hex')}`;
const VALIDATION_TIMEOUT_MS = 120_000;

/**
 * A hook of the base revision that looks for the deployer's secrets the way
 * an attacker's would: its own environment, the environ of every ancestor
 * process (the deployer among them), every /proc/<pid>/environ it can read,
 * and who it runs as. It writes what it found to the state dir.
 */
const SNOOP_SH = `#!/bin/sh
out="$STATE_DIR/snoop-$AUTOCODE_DEPLOYMENT_ID.txt"
{
  echo "uid=$(id -u)"
  echo "--- env"
  env
  pid=$$
  while [ "$pid" -gt 1 ]; do
    ppid=$(awk '/^PPid:/ {print $2}' /proc/$pid/status 2>/dev/null)
    [ -n "$ppid" ] || break
    echo "--- environ of ancestor $ppid"
    tr '\\0' '\\n' < /proc/$ppid/environ || echo "unreadable"
    pid=$ppid
  done
  echo "--- every readable environ"
  for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f" 2>/dev/null; done
  echo "--- done"
} > "$out" 2>&1
`;

/** A hook that fails loudly, echoing the credential it was given: its failure must not carry it. */
const LEAK_SH = `#!/bin/sh
echo "pushing with token $DEPLOY_TOKEN"
echo "could not reach the registry with DEPLOY_TOKEN=$DEPLOY_TOKEN"
exit 3
`;

interface StageReport {
  name: string;
  status: string;
  required: boolean;
  summary: string;
  findings: string[];
}
interface Deployment {
  status: string;
  reason: string | null;
  audit: Array<{ actor: string; action: string; detail: string }>;
}

/**
 * The deployer trusts only the validator, written as the attacks: a forged
 * deploy task with a diff no validator saw, a validated patch swapped for
 * another, a record planted in Redis without the mesh secret, a patch that
 * rewrites the deploy hook, and a hook that hunts for the deployer's
 * secrets — against the orchestrator, the real validator and the deployer
 * (hooks as `nobody`), a fixture repository and its bare remote.
 */
describe('deploy trust: only validated patches ship, hooks come from the base and see no secrets', () => {
  const namespace = testNamespace('trust');
  const workspace = mkdtempSync(join(tmpdir(), 'autocode-deployer-ws-'));
  let port: number;
  let fixture: DeployFixture;
  let mesh: Mesh;
  let api: OrchestratorApi;
  let deployerUrl: string;

  beforeAll(async () => {
    port = await freePort();
    // The hook runs as nobody: it must be able to enter the workspace.
    chmodSync(workspace, 0o755);
    fixture = DeployFixture.create(
      port,
      ({ remote, stateDir }) => `
validation:
  allow_protected_paths: ['.github/workflows/**']
deployment:
  environments:
    - name: development
      branch: develop
      remote: ${remote}
      url: http://127.0.0.1:${port}
      deploy_hook:
        command: node deploy.js
        timeout: 30s
        env: { STATE_DIR: "${stateDir}", SERVICE_PORT: "${port}" }
      health_checks:
        - { endpoint: /health, timeout: 2s, interval: 250ms, retries: 12, expect_body: '"revision":"{revision}"' }
    - name: snoop
      branch: snoop
      remote: ${remote}
      deploy_hook:
        command: sh snoop.sh
        env: { STATE_DIR: "${stateDir}" }
        pass_env: [DEPLOY_TOKEN]
    - name: leaky
      branch: leaky
      remote: ${remote}
      rollback: { enabled: false }
      deploy_hook:
        command: sh leak.sh
        pass_env: [DEPLOY_TOKEN]
`,
      undefined,
      { files: { 'snoop.sh': SNOOP_SH, 'leak.sh': LEAK_SH }, openToHookUser: true },
    );
    mesh = await Mesh.start({
      namespace,
      targetRepository: fixture.repo,
      services: ['orchestrator', 'validator', 'deployer'],
      env: {
        orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' },
        validator: { WORKER_HEARTBEAT_INTERVAL_MS: '500' },
        deployer: {
          DEPLOY_WORKSPACE_DIR: workspace,
          DEPLOY_HOOK_USER: 'nobody',
          // Both may be handed to hooks; each environment gets only what its pass_env names.
          DEPLOY_HOOK_ENV_PASSTHROUGH: 'DEPLOY_TOKEN,OTHER_TOKEN',
          DEPLOY_TOKEN,
          OTHER_TOKEN,
          EGRESS_ALLOW: `127.0.0.1:${port}`,
          WORKER_HEARTBEAT_INTERVAL_MS: '500',
        },
      },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    deployerUrl = mesh.service('deployer').url;
  }, 120_000);

  afterAll(async () => {
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    fixture?.remove();
    rmSync(workspace, { recursive: true, force: true });
  });

  const params = (patch: FixturePatch, extra: Record<string, unknown> = {}) => ({ repository: fixture.repo, commit: fixture.commit, patch, ...extra });
  const finished = (task: TaskView, timeoutMs = 120_000) => api.waitForTaskState(task.id, ['COMPLETED', 'FAILED', 'CANCELLED'], timeoutMs);
  const validate = async (patch: FixturePatch) => {
    const done = await finished(await api.createTask({ type: 'validate', params: params(patch) }), VALIDATION_TIMEOUT_MS);
    expect(done.state).toBe('COMPLETED');
    const report = done.output as { verdict: string; stages: StageReport[] };
    return { task: done, report, stage: (name: string) => report.stages.find((s) => s.name === name)! };
  };
  const deploy = async (environment: string, patch: FixturePatch, title: string) =>
    finished(await api.createTask({ type: 'deploy', params: params(patch, { environment, title }) }));
  const deployment = async (id: string) => {
    const response = await fetch(`${deployerUrl}/api/deployments/${id}`, { headers: { authorization: `Bearer ${TEST_API_KEYS.viewer}` } });
    return (await response.json()) as Deployment;
  };
  const deploymentIdOf = (task: TaskView) => `dep_${task.id.replace(/^tsk_/, '')}`;
  const errorOf = (task: TaskView) => (task.error ?? { message: '', retryable: true }) as { message: string; retryable: boolean };
  const refusal = (patch: FixturePatch) => new RegExp(`^no passing validation record for patch sha256:${patchSha256(patch.diff)} `);

  it('refuses a forged deploy task whose diff no validator saw: nothing is committed or pushed, no hook runs', async () => {
    const before = fixture.remoteTip('develop');
    const patch = fixture.patch({ 'features/forged.json': { greeting: 'pwned' } });
    const done = await deploy('development', patch, 'Hand-written change');
    expect(done.state).toBe('FAILED');
    expect(errorOf(done).retryable).toBe(false);
    expect(errorOf(done).message).toMatch(refusal(patch));
    expect(errorOf(done).message).toMatch(/no validator has recorded a validation of these exact bytes/);
    expect(fixture.remoteTip('develop')).toBe(before);
    expect(fixture.hooks().filter((h) => h.deployment === deploymentIdOf(done))).toEqual([]);
    // Refused before a deployment record exists: there is nothing to approve or resume.
    expect(await fetch(`${deployerUrl}/api/deployments/${deploymentIdOf(done)}`, { headers: { authorization: `Bearer ${TEST_API_KEYS.viewer}` } })).toMatchObject({ status: 404 });
  });

  it('refuses a patch swapped for a validated one (one byte differs), and a record planted in Redis without the mesh secret', async () => {
    const validated = fixture.patch({ 'features/swap.json': { greeting: 'hello again' } });
    expect((await validate(validated)).report.verdict).toBe('passed');
    const swapped = { ...validated, diff: validated.diff.replace('hello again', 'hello agaiN') };
    const before = fixture.remoteTip('develop');
    const done = await deploy('development', swapped, 'Swapped after validation');
    expect(done.state).toBe('FAILED');
    expect(errorOf(done)).toMatchObject({ retryable: false, message: expect.stringMatching(refusal(swapped)) });

    // Someone who can write to Redis but does not hold the mesh secret plants a passing record.
    const planted = fixture.patch({ 'features/planted.json': { greeting: 'planted' } });
    const redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: `${namespace}:` });
    try {
      await new ValidationRecordRepository(redis).save({
        version: 1,
        patchSha256: patchSha256(planted.diff),
        repository: repositoryIdentity(fixture.repo),
        baseCommit: fixture.commit,
        verdict: 'passed',
        stages: [],
        validator: { instance: 'attacker', taskId: 'tsk_forged' },
        validatedAt: new Date().toISOString(),
      });
    } finally {
      await redis.close();
    }
    const plantedRun = await deploy('development', planted, 'Planted record');
    expect(plantedRun.state).toBe('FAILED');
    expect(errorOf(plantedRun)).toMatchObject({ retryable: false, message: expect.stringMatching(/carries no MAC and the mesh has a secret/) });
    expect(fixture.remoteTip('develop')).toBe(before);
    expect(fixture.hooks().filter((h) => [deploymentIdOf(done), deploymentIdOf(plantedRun)].includes(h.deployment))).toEqual([]);
  }, VALIDATION_TIMEOUT_MS + 60_000);

  it('rejects a patch that edits the deploy hook at validation, naming the path, and never deploys it', async () => {
    const patch = fixture.patch({ 'deploy.js': "require('node:fs').writeFileSync(process.env.STATE_DIR + '/owned', 'x');\n", 'autocode.yaml': 'deployment: { environments: [] }\n' });
    const { report, stage } = await validate(patch);
    expect(report.verdict).toBe('failed');
    expect(stage('protected-paths')).toMatchObject({ status: 'failed', required: true, summary: 'the patch touches 2 protected paths: autocode.yaml, deploy.js' });
    expect(stage('protected-paths').findings).toEqual([
      expect.stringMatching(/^autocode\.yaml: protected \(autocode's configuration/),
      expect.stringMatching(/^deploy\.js: protected \(the deploy hook \(named in autocode\.yaml\)\); a patch may change it only if autocode\.yaml lists it in validation\.allow_protected_paths$/),
    ]);
    // Nothing of the change ran: the other stages were skipped.
    expect(report.stages.filter((s) => !['apply', 'protected-paths'].includes(s.name)).every((s) => s.status === 'skipped')).toBe(true);

    const before = fixture.remoteTip('develop');
    const done = await deploy('development', patch, 'Rewrite the hook');
    expect(done.state).toBe('FAILED');
    expect(errorOf(done).retryable).toBe(false);
    expect(errorOf(done).message).toMatch(refusal(patch));
    expect(errorOf(done).message).toMatch(/validation failed \(protected-paths failed\)/);
    expect(fixture.remoteTip('develop')).toBe(before);
    expect(fixture.hooks().filter((h) => h.deployment === deploymentIdOf(done))).toEqual([]);
  }, VALIDATION_TIMEOUT_MS + 60_000);

  it('lets a protected path through when the base revision allows it (validation.allow_protected_paths)', async () => {
    const { stage } = await validate(fixture.patch({ '.github/workflows/ci.yml': 'on: push\n' }));
    expect(stage('protected-paths')).toMatchObject({ status: 'passed', required: true });
    const other = await validate(fixture.patch({ '.github/CODEOWNERS': '* @someone\n' }));
    expect(other.stage('protected-paths')).toMatchObject({ status: 'failed', summary: 'the patch touches 1 protected path: .github/CODEOWNERS' });
  }, 2 * VALIDATION_TIMEOUT_MS);

  it('deploys a patch the validator passed: committed, pushed, hooked from the base revision as nobody, healthy', async () => {
    const patch = fixture.patch({ 'features/banner.json': { banner: 'validated' } });
    const { task: validation, report } = await validate(patch);
    expect(report.verdict).toBe('passed');
    const before = fixture.remoteTip('develop')!;
    const done = await deploy('development', patch, 'A validated change');
    expect(done.state).toBe('COMPLETED');
    const output = done.output as Record<string, string>;
    expect(output).toMatchObject({ outcome: 'deployed', branch: 'develop', previousRevision: before });
    expect(fixture.remoteTip('develop')).toBe(output.revision);
    expect(fixture.inRemote('show', '--stat', '--format=%s', output.revision)).toMatch(/A validated change[\s\S]*features\/banner\.json/);
    expect(fixture.hooks().filter((h) => h.deployment === output.deploymentId)).toEqual([expect.objectContaining({ action: 'deploy', revision: output.revision })]);
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { revision: string };
    expect(health.revision).toBe(output.revision);

    const record = await deployment(output.deploymentId);
    expect(record.audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'validated', actor: expect.stringMatching(/^validator:validator-/), detail: expect.stringContaining(`passed validation task ${validation.id}`) }),
        expect.objectContaining({ action: 'hook:deploy', detail: expect.stringMatching(new RegExp(`\\(deploy\\.js as of ${fixture.commit.slice(0, 12)}\\) as nobody$`)) }),
      ]),
    );
  }, VALIDATION_TIMEOUT_MS + 60_000);

  it("gives a hook hunting for the deployer's secrets nothing but what its configuration names", async () => {
    const records = new TestValidationRecords(namespace);
    const patch = fixture.patch({ 'features/snoop.json': { s: 1 } });
    try {
      // Validated the way the validator records it (the validated path itself is the test above).
      await records.pass(fixture.repo, fixture.commit, patch);
    } finally {
      await records.close();
    }
    const done = await deploy('snoop', patch, 'Look around');
    expect(done.output).toMatchObject({ outcome: 'deployed' });
    const found = readFileSync(join(fixture.stateDir, `snoop-${deploymentIdOf(done)}.txt`), 'utf8');

    // It ran, as nobody, with what its environment asked for.
    expect(found).toMatch(/^uid=65534$/m);
    expect(found).toContain(`DEPLOY_TOKEN=${DEPLOY_TOKEN}`);
    expect(found).toMatch(/--- environ of ancestor \d+\n.*(Permission denied|unreadable)/);
    expect(found).toContain('--- done');
    // Nothing of the deployer's own environment, nor what another environment could have had.
    for (const secret of [TEST_MESH_SECRET, OTHER_TOKEN, ...Object.values(TEST_API_KEYS)]) expect(found).not.toContain(secret);
    for (const name of ['MESH_SECRET=', 'REDIS_URL=', 'KAFKA_BROKERS=', 'INFLUX_URL=', 'API_KEYS=', 'OTHER_TOKEN=']) expect(found).not.toContain(name);
  });

  it("keeps the credentials a failing hook echoes out of the failure's reason", async () => {
    const records = new TestValidationRecords(namespace);
    const patch = fixture.patch({ 'features/leak.json': { l: 1 } });
    try {
      await records.pass(fixture.repo, fixture.commit, patch);
    } finally {
      await records.close();
    }
    const done = await deploy('leaky', patch, 'Loud failure');
    expect(done.state).toBe('FAILED');
    expect(errorOf(done).message).toMatch(/deploy hook failed: hook exited with 3: could not reach the registry with DEPLOY_TOKEN=\[redacted\]/);
    expect(errorOf(done).message).not.toContain(DEPLOY_TOKEN);
    const record = await deployment(deploymentIdOf(done));
    expect(record.status).toBe('failed');
    expect(JSON.stringify(record)).not.toContain(DEPLOY_TOKEN);
    expect(mesh.service('deployer').logs()).not.toContain(DEPLOY_TOKEN);
  });
});
