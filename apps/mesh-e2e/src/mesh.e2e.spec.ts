import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { TOPICS } from '@autocode/contracts';
import { InfluxClient } from '@autocode/metrics';
import {
  deleteNamespaceTopics,
  Mesh,
  publishRaw,
  TEST_INFRA,
  testNamespace,
  TopicObserver,
  waitUntil,
} from '@autocode/testing';
import { OrchestratorApi, type RunView, type TaskView } from './orchestrator-api';
import { createSampleRepo } from './sample-repo';

const ASSIGNMENT_TOPIC: Record<string, string> = {
  plan: TOPICS.planningRequested,
  generate: TOPICS.generationRequested,
  validate: TOPICS.validationRequested,
  deploy: TOPICS.deploymentRequested,
};
const SERVICE_OF: Record<string, string> = { plan: 'planner', generate: 'generation-node', validate: 'validator', deploy: 'deployer' };

/**
 * The whole mesh, end to end: five service processes on the real Kafka,
 * Redis and InfluxDB and the bundled sample repository. A trigger through
 * REST and one through the public Kafka topic each run the generation-cycle
 * workflow: the planner finds the opportunity, a generation node writes the
 * patch, the validator passes it, and the deployer lands it on the
 * development environment (the sample repo's `develop` branch).
 */
describe('the mesh: from a trigger to a change deployed to development', () => {
  const namespace = testNamespace('e2e');
  const observer = TopicObserver.create(TEST_INFRA.kafkaBrokers, namespace);
  const influx = new InfluxClient({ url: TEST_INFRA.influxUrl, database: TEST_INFRA.influxDatabase });
  let sample: ReturnType<typeof createSampleRepo>;
  let redis: Redis;
  let mesh: Mesh;
  let api: OrchestratorApi;

  beforeAll(async () => {
    sample = createSampleRepo();
    redis = new Redis(TEST_INFRA.redisUrl);
    await observer.start(Object.values(TOPICS));
    mesh = await Mesh.start({ namespace, targetRepository: sample.path, env: { orchestrator: { CYCLE_INTERVAL_MINUTES: '0' } } });
    api = new OrchestratorApi(mesh.orchestratorUrl);
  });

  afterAll(async () => {
    await mesh?.stop();
    await observer.stop();
    redis?.disconnect();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    sample?.remove();
  });

  const git = (...args: string[]) => execFileSync('git', args, { cwd: sample.path }).toString();

  /** Checks what every task of the cycle leaves behind: its audit trail, its Kafka hops, its metrics. */
  async function expectTaskJourney(type: string, taskId: string, runId: string): Promise<TaskView> {
    const task = await api.task(taskId);
    expect({ type, state: task.state }).toEqual({ type: task.type, state: 'COMPLETED' });
    expect(task.correlationId).toBe(runId);

    // The audit trail in order; in Redis, the creation entries are implied by the task's
    // creation fields and every later transition is a list entry.
    expect(task.history.map((e) => e.to)).toEqual(['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
    const times = task.history.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const stored = (await redis.lrange(`${namespace}:task:${taskId}:history`, 0, -1)).map((e) => ({ taskId, ...JSON.parse(e) }));
    expect(stored).toEqual(task.history.slice(2));

    // Every hop went over Kafka: the assignment to its pool, the result back, each transition.
    const payloadOf = (m: { json: unknown }) => (m.json as { payload: { taskId?: string } }).payload;
    await observer.waitFor(`${type} assignment`, (m) => m.topic === ASSIGNMENT_TOPIC[type] && payloadOf(m).taskId === taskId);
    await observer.waitFor(`${type} result`, (m) => m.topic === TOPICS.taskResult && payloadOf(m).taskId === taskId);
    const lifecycle = await waitUntil(`five lifecycle events of ${type}`, () => {
      const events = observer.all(TOPICS.taskLifecycle).filter((m) => payloadOf(m).taskId === taskId);
      return events.length === 5 ? events : undefined;
    });
    expect(lifecycle.map((m) => (m.json as { payload: { to: string } }).payload.to)).toEqual(['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
    expect(lifecycle.every((m) => m.headers['correlation-id'] === runId && /^00-[0-9a-f]{32}-/.test(m.headers.traceparent))).toBe(true);

    // The service that ran it and the orchestrator left points in InfluxDB.
    await waitUntil(
      `metrics of ${type} in InfluxDB`,
      async () => {
        const executed = await influx.query<{ service: string }>(`SELECT "duration_ms", "service" FROM "task_execution" WHERE "task_id" = '${taskId}'`);
        const finished = await influx.query(`SELECT "duration_ms" FROM "task_finished" WHERE "task_id" = '${taskId}'`);
        return executed.some((r) => r.service === SERVICE_OF[type]) && finished.length === 1;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    return task;
  }

  /** The cycle run and its first improvement run, checked node by node. */
  async function expectDeployedCycle(runId: string): Promise<{ cycle: RunView; improvement: RunView }> {
    const cycle = await api.waitForRun(runId);
    expect(cycle).toMatchObject({ workflow: 'generation-cycle', status: 'SUCCESS' });
    const [plan, improve] = cycle.nodes;
    expect(plan).toMatchObject({ nodeId: 'plan', status: 'SUCCESS' });
    expect(improve).toMatchObject({ nodeId: 'improve', status: 'SUCCESS' });
    expect(improve.childRunIds.length).toBeGreaterThan(0);

    const improvement = await api.waitForRun(improve.childRunIds[0]);
    expect(improvement).toMatchObject({ workflow: 'improvement', status: 'SUCCESS', correlationId: cycle.correlationId });
    const byId = Object.fromEntries(improvement.nodes.map((n) => [n.nodeId, n]));
    expect(byId.generate_1).toMatchObject({ status: 'SUCCESS', output: { outcome: 'patch' } });
    expect(byId.validate_1).toMatchObject({ status: 'SUCCESS', output: { verdict: 'passed' } });
    expect(byId.deploy).toMatchObject({ status: 'SUCCESS', output: { environment: 'development', outcome: 'deployed', landed: true, commit: expect.stringMatching(/^[0-9a-f]{40}$/) } });
    for (const id of ['generate_2', 'validate_2', 'generate_3', 'validate_3']) expect(byId[id].status).toBe('SKIPPED');

    await expectTaskJourney('plan', plan.taskId!, cycle.id);
    for (const [id, type] of [['generate_1', 'generate'], ['validate_1', 'validate'], ['deploy', 'deploy']]) {
      await expectTaskJourney(type, byId[id].taskId!, improvement.id);
    }
    return { cycle, improvement };
  }

  it('deploys a lint fix for a trigger posted to the REST gateway', async () => {
    const mainBefore = git('rev-parse', 'main').trim();
    const trigger = await api.triggerGeneration({ reason: 'e2e over REST', kinds: ['lint-finding'] });
    expect(trigger).toMatchObject({ source: 'api', status: 'started', repository: sample.path });
    const { improvement } = await expectDeployedCycle(trigger.runId!);

    // The change is on the development branch of the sample repository; main is untouched.
    const opportunity = improvement.params.opportunity as { files: string[] };
    const changed = git('diff', '--name-only', 'main', 'develop').trim().split('\n');
    expect(changed).toEqual(expect.arrayContaining(opportunity.files));
    expect(git('rev-parse', 'main').trim()).toBe(mainBefore);
    expect((await api.get<{ runId: string }>(`/api/triggers/${trigger.id}`)).body.runId).toBe(trigger.runId);

    // The landed commit describes itself like a good bot's pull request: what, why (the opportunity), the evidence, trailers.
    const deploy = improvement.nodes.find((n) => n.nodeId === 'deploy')!;
    const validate = improvement.nodes.find((n) => n.nodeId === 'validate_1')!;
    const landed = (deploy.output as { commit: string }).commit;
    expect(git('rev-parse', 'develop').trim()).toBe(landed);
    const found = improvement.params.opportunity as { fingerprint: string; kind: string; generator: string; files: string[] };
    const [subject, what, why, evidence, trailers] = git('log', '-1', '--format=%B', 'develop').trimEnd().split('\n\n');
    expect(subject).toMatch(new RegExp(`^style: fix \\d+ ESLint findings? in .+ \\(autocode ${found.generator}\\)$`));
    expect(what).toMatch(/^What changed\n\d+ file\(s\), \+\d+ -\d+:\n- /);
    for (const file of found.files) expect(what).toContain(`- ${file}`);
    expect(why).toContain(`Opportunity: ${found.kind} (fingerprint ${found.fingerprint}), generator ${found.generator}`);
    expect(evidence).toContain('Validation passed (validator task');
    for (const stage of (validate.output as { stages: Array<{ name: string; status: string }> }).stages) expect(evidence).toContain(`  - ${stage.name}: ${stage.status}`);
    expect(trailers.split('\n')).toEqual([
      expect.stringMatching(/^Autocode-Deployment: dep_/),
      `Autocode-Task: ${deploy.taskId}`,
      expect.stringMatching(/^Autocode-Patch: sha256:[0-9a-f]{64}$/),
      `Autocode-Validation: ${validate.taskId}`,
      `Autocode-Base: ${improvement.params.commit}`,
      `Autocode-Opportunity: ${found.fingerprint}`,
    ]);
  });

  it('deploys documentation for a trigger any Kafka client publishes to the public topic', async () => {
    const envelope = {
      id: randomUUID(),
      type: 'trigger.requested',
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      correlationId: `external-${randomUUID()}`,
      causationId: null,
      producer: 'e2e-kafka-client',
      payload: { reason: 'e2e over Kafka', lookbackHours: 48, kinds: ['undocumented-export'] },
    };
    await publishRaw(TEST_INFRA.kafkaBrokers, observer.physical(TOPICS.triggerRequested), [JSON.stringify(envelope)]);

    const trigger = await api.waitForTrigger((t) => t.source === 'kafka');
    await expectDeployedCycle(trigger.runId!);

    // A redelivery of the same message starts nothing new.
    await publishRaw(TEST_INFRA.kafkaBrokers, observer.physical(TOPICS.triggerRequested), [JSON.stringify(envelope)]);
    const sentinel = await api.triggerGeneration({ reason: 'sentinel after the duplicate', kinds: ['recent-changes'] });
    await api.waitForTrigger((t) => t.id === sentinel.id);
    const { body } = await api.get<{ items: Array<{ source: string }> }>('/api/triggers?limit=100');
    expect(body.items.filter((t) => t.source === 'kafka')).toHaveLength(1);
  });
});
