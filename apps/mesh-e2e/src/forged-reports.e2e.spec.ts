import { randomBytes, randomUUID } from 'node:crypto';
import { newLeaseToken, SIGNATURE_HEADER, signEnvelope, TOPICS, MAX_TASK_ATTEMPTS, type Envelope } from '@autocode/contracts';
import { deleteNamespaceTopics, Mesh, TEST_INFRA, TEST_MESH_SECRET, testNamespace, TopicObserver, waitUntil } from '@autocode/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { createEmptyRepo } from './sample-repo';

interface DeadLetterView {
  payload: { originalTopic: string; reason: string; category: string; valueBase64: string };
}
interface TaskTypeView {
  name: string;
  pool: string;
  paramsSchema: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The attacks of "who may report what", as someone who can write to Kafka
 * would make them, against a real mesh: forged results and progress for a
 * running task, forged heartbeats that try to take a task type and its
 * dispatch, and an announced pattern that would freeze a backtracking
 * regex engine. Each is dead-lettered with its reason and changes nothing;
 * the real work goes on.
 */
describe('forged reports and heartbeats', () => {
  const namespace = testNamespace('forge');
  const generationNode = `generation-node-${namespace}`;
  const observer = TopicObserver.create(TEST_INFRA.kafkaBrokers, namespace);
  const kafka = new Kafka({ clientId: `attacker-${namespace}`, brokers: TEST_INFRA.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  let producer: Producer;
  let repo: ReturnType<typeof createEmptyRepo>;
  let mesh: Mesh;
  let api: OrchestratorApi;

  beforeAll(async () => {
    repo = createEmptyRepo();
    await observer.start([TOPICS.deadLetter, TOPICS.taskResult]);
    producer = kafka.producer();
    await producer.connect();
    mesh = await Mesh.start({
      namespace,
      targetRepository: repo.path,
      services: ['orchestrator', 'generation-node'],
      env: { orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' } },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    await waitUntil('the generation node to announce noop and sleep', async () => {
      const { body } = await api.get<{ items: TaskTypeView[] }>('/api/task-types');
      return ['noop', 'sleep'].every((name) => body.items.some((t) => t.name === name));
    });
  });

  afterAll(async () => {
    await mesh?.stop();
    await producer?.disconnect();
    await observer.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    repo?.remove();
  });

  const envelope = (type: string, correlationId: string, payload: Record<string, unknown>): Envelope<Record<string, unknown>> => ({
    id: randomUUID(),
    type,
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    correlationId,
    causationId: null,
    producer: 'attacker',
    payload,
  });

  /** Publishes as any Kafka client can; returns the exact bytes, to find their dead letter by. */
  /** Everything this spec forged: the only messages that may be dead-lettered. */
  const forgedBytes = new Set<string>();

  async function publish(topic: string, value: Envelope<Record<string, unknown>>, headers: Record<string, string> = {}): Promise<string> {
    const bytes = JSON.stringify(value);
    forgedBytes.add(bytes);
    await producer.send({ topic: observer.physical(topic), messages: [{ key: value.correlationId, value: bytes, headers }] });
    return bytes;
  }

  async function deadLetterOf(bytes: string): Promise<DeadLetterView['payload']> {
    const message = await observer.waitFor('the dead letter of a forged message', (m) => {
      const payload = (m.json as DeadLetterView | null)?.payload;
      return Buffer.from(payload?.valueBase64 ?? '', 'base64').toString() === bytes;
    });
    return (message.json as DeadLetterView).payload;
  }

  const running = async (ms: number): Promise<TaskView> => {
    const created = await api.createTask({ type: 'sleep', params: { ms, steps: 4 } });
    return api.waitForTaskState(created.id, ['RUNNING'], 60_000);
  };

  const forgedResult = (task: TaskView, overrides: Record<string, unknown>) =>
    envelope('task.result', task.id, {
      taskId: task.id,
      attempt: task.attempt,
      workerId: task.workerId,
      type: 'sleep',
      outcome: 'succeeded',
      output: { forged: true },
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      ...overrides,
    });

  it('dead-letters a forged result (wrong or missing lease token) and forged give-backs; the task runs on and completes with its real result', async () => {
    const task = await running(6000);
    expect(task.workerId).toBe(generationNode);

    const wrongToken = await publish(TOPICS.taskResult, forgedResult(task, { leaseToken: newLeaseToken() }));
    const noToken = await publish(TOPICS.taskResult, forgedResult(task, {}));
    // What bounced the task 20,003 times before: give-backs, over and over.
    const giveBacks: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      giveBacks.push(await publish(TOPICS.taskResult, forgedResult(task, { leaseToken: newLeaseToken(), outcome: 'rejected', output: null, error: { message: 'no free slot', retryable: true } })));
    }

    const refused = await deadLetterOf(wrongToken);
    expect(refused).toMatchObject({ originalTopic: TOPICS.taskResult, category: 'handler-failed' });
    expect(refused.reason).toContain(`refused task.result for ${task.id} attempt ${task.attempt} from ${generationNode}: its lease token is not the one this attempt was handed out with`);
    const invalid = await deadLetterOf(noToken);
    expect(invalid).toMatchObject({ originalTopic: TOPICS.taskResult, category: 'invalid' });
    expect(invalid.reason).toContain('payload.leaseToken');
    for (const bytes of giveBacks) expect((await deadLetterOf(bytes)).reason).toContain('its lease token is not the one');

    // Refused before anything changed: its first attempt goes on, on its worker (and may have finished by now, for real).
    const meanwhile = await api.task(task.id);
    expect(meanwhile).toMatchObject({ attempt: 1, workerId: generationNode });
    expect(['RUNNING', 'COMPLETED']).toContain(meanwhile.state);
    expect(meanwhile.output).not.toEqual({ forged: true });

    const done = await api.waitForTaskState(task.id, ['COMPLETED', 'FAILED'], 60_000);
    expect(done).toMatchObject({ state: 'COMPLETED', attempt: 1, output: { steps: 4, resumedFromStep: 0, attempt: 1 } });
    expect(done.attempt).toBeLessThanOrEqual(MAX_TASK_ATTEMPTS);
    const trail = (await api.task(task.id)).history;
    expect(trail.map((h) => h.to)).toEqual(['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'COMPLETED']);
    expect(trail.filter((h) => h.source.startsWith('kafka:')).every((h) => h.actor === generationNode)).toBe(true);
  });

  it('dead-letters forged progress and checkpoints; the task keeps its own', async () => {
    const task = await running(3000);
    const forged = await publish(
      TOPICS.taskProgress,
      envelope('task.progress', task.id, { taskId: task.id, attempt: task.attempt, workerId: task.workerId, leaseToken: newLeaseToken(), percent: 99, message: 'forged', checkpoint: { step: 999 } }),
    );
    expect((await deadLetterOf(forged)).reason).toContain(`refused task.progress for ${task.id} attempt 1 from ${generationNode}: its lease token is not the one`);
    const after = await api.task(task.id);
    expect((after as { progress?: { message: string } | null }).progress?.message).not.toBe('forged');
    expect((after as { checkpoint?: unknown }).checkpoint).not.toEqual({ step: 999 });

    const done = await api.waitForTaskState(task.id, ['COMPLETED', 'FAILED'], 60_000);
    // Had the checkpoint counted, a resumed attempt would skip its work; it never needed one.
    expect(done).toMatchObject({ state: 'COMPLETED', attempt: 1, output: { resumedFromStep: 0 } });
  });

  it('never shows a lease token or forged progress to a viewer: live progress streams only what the lease holder reported, without its token', async () => {
    // Progress travels correlated with its task.
    const task = await api.createTask({ type: 'sleep', params: { ms: 2000, steps: 4 } });
    const stream = await api.openEventStream(`correlationId=${task.id}&kinds=progress`);
    const streamed = () => stream.data(task.id);

    // Forged progress, keyed like the worker's own (same partition, so it is read before the last real one), never reaches a viewer.
    const first = await waitUntil('the first progress of the task on the stream', () => streamed().find((e) => e.workerId === generationNode));
    await publish(TOPICS.taskProgress, envelope('task.progress', task.id, { taskId: task.id, attempt: first.attempt, workerId: generationNode, leaseToken: newLeaseToken(), percent: 99, message: 'forged on the stream' }));
    const events = await waitUntil('progress of the task on the stream', () => (streamed().some((e) => e.percent === 100) ? streamed() : undefined));
    expect(events.every((e) => e.workerId === generationNode && !('leaseToken' in e))).toBe(true);
    expect(events.map((e) => e.message)).not.toContain('forged on the stream');
    await stream.close();
  });

  it('dead-letters a forged assignment addressed to a real worker instead of running it', async () => {
    const taskId = `tsk_${randomBytes(8).toString('hex')}`;
    const assignment = envelope('generation.requested', taskId, {
      taskId,
      attempt: 1,
      type: 'noop',
      pool: 'generation',
      workerId: generationNode,
      leaseToken: newLeaseToken(),
      priority: 'CRITICAL',
      params: {},
      deadline: new Date(Date.now() + 60_000).toISOString(),
      checkpoint: null,
    });
    const { body: workers } = await api.get<{ items: Array<{ workerId: string; partitions: number[] }> }>('/api/workers');
    const partition = workers.items.find((w) => w.workerId === generationNode)!.partitions[0];
    const bytes = JSON.stringify(assignment);
    forgedBytes.add(bytes);
    await producer.send({ topic: observer.physical(TOPICS.generationRequested), messages: [{ key: taskId, value: bytes, partition }] });

    const refused = await deadLetterOf(bytes);
    expect(refused).toMatchObject({ originalTopic: TOPICS.generationRequested, category: 'handler-failed' });
    expect(refused.reason).toContain(`refused assignment of ${taskId} attempt 1: unsigned`);
    // Refused before it could run: the worker never reported anything for it.
    expect(observer.all(TOPICS.taskResult).some((m) => (m.json as { payload?: { taskId?: string } }).payload?.taskId === taskId)).toBe(false);
  });

  describe('heartbeats', () => {
    const heartbeat = (workerId: string, pool: string, capacity: number, taskTypes: unknown[]) =>
      envelope('worker.heartbeat', workerId, {
        workerId,
        pool,
        capacity,
        running: [],
        partitions: [0, 1, 2],
        taskTypes,
        startedAt: new Date().toISOString(),
        intervalMs: 1000,
      });
    const signed = (value: Envelope<Record<string, unknown>>, secret = TEST_MESH_SECRET) => ({ [SIGNATURE_HEADER]: signEnvelope(value, secret) });
    const noopType = async (): Promise<TaskTypeView> => {
      const { body } = await api.get<{ items: TaskTypeView[] }>('/api/task-types');
      const { lastAnnouncedBy: _by, lastAnnouncedAt: _at, ...descriptor } = body.items.find((t) => t.name === 'noop')!;
      return descriptor as TaskTypeView;
    };

    it('dead-letters a heartbeat that takes noop to another pool with 10,000 slots (unsigned, badly signed, or signed but not allowed); noop still runs on its pool', async () => {
      const noop = { ...(await noopType()), pool: 'planning' };
      const takeover = heartbeat(`evil-${namespace}`, 'planning', 10_000, [noop]);
      const unsigned = await publish(TOPICS.workerHeartbeat, takeover);
      const badlySigned = heartbeat(`evil2-${namespace}`, 'planning', 10_000, [noop]);
      const badBytes = await publish(TOPICS.workerHeartbeat, badlySigned, signed(badlySigned, randomBytes(32).toString('base64url')));
      // Even with the mesh secret (a compromised member), a type cannot change pool and slots are capped.
      const insiderTakeover = heartbeat(`evil3-${namespace}`, 'planning', 10, [noop]);
      const insiderBytes = await publish(TOPICS.workerHeartbeat, insiderTakeover, signed(insiderTakeover));
      const insiderSlots = heartbeat(`evil4-${namespace}`, 'generation', 10_000, [{ ...noop, pool: 'generation' }]);
      const slotsBytes = await publish(TOPICS.workerHeartbeat, insiderSlots, signed(insiderSlots));

      expect(await deadLetterOf(unsigned)).toMatchObject({ originalTopic: TOPICS.workerHeartbeat, category: 'handler-failed' });
      expect((await deadLetterOf(unsigned)).reason).toContain(`refused heartbeat of evil-${namespace} (planning): unsigned: no ${SIGNATURE_HEADER} header`);
      expect((await deadLetterOf(badBytes)).reason).toContain('bad signature');
      expect((await deadLetterOf(insiderBytes)).reason).toContain('task type "noop" belongs to pool generation; a worker of pool planning may not register it');
      expect((await deadLetterOf(slotsBytes)).reason).toContain('claims 10000 slots, more than WORKER_MAX_CAPACITY_CLAIM (1000)');

      const { body: workers } = await api.get<{ items: Array<{ workerId: string }> }>('/api/workers');
      expect(workers.items.map((w) => w.workerId).sort()).toEqual([generationNode, `orchestrator-${namespace}`]);
      expect((await noopType()).pool).toBe('generation');

      const task = await api.createTask({ type: 'noop' });
      const done = await api.waitForTaskState(task.id, ['COMPLETED', 'FAILED'], 60_000);
      expect(done).toMatchObject({ state: 'COMPLETED', workerId: generationNode, output: { ok: true } });
    });

    it('runs an announced ^(a+)+$ only with a linear-time engine (a 29-character input gets its answer at once), and refuses patterns that engine cannot run', async () => {
      const probe = (name: string, pattern: string) => ({
        name,
        displayName: name,
        description: 'an announced pattern',
        category: 'test',
        pool: 'generation',
        paramsSchema: { type: 'object', properties: { name: { type: 'string', pattern } }, required: ['name'], additionalProperties: false },
        defaults: { timeLimitSeconds: 60, retry: { maxRetries: 0, initialDelayMs: 0, factor: 1, maxDelayMs: 0, jitter: false } },
      });
      // Unsigned, it is not even looked at.
      const anonymous = heartbeat(`redos-${namespace}`, 'generation', 1, [probe('redos_probe', '^(a+)+$')]);
      expect((await deadLetterOf(await publish(TOPICS.workerHeartbeat, anonymous))).reason).toContain('unsigned');
      // A backreference has no linear-time match: refused, with the reason.
      const backreference = heartbeat(`backref-${namespace}`, 'generation', 1, [probe('backref_probe', '^(a+)\\1$')]);
      const refused = await deadLetterOf(await publish(TOPICS.workerHeartbeat, backreference, signed(backreference)));
      expect(refused.reason).toMatch(/task type "backref_probe": params schema refused: .*invalid escape sequence/);

      const member = heartbeat(`redos2-${namespace}`, 'generation', 1, [probe('redos_probe', '^(a+)+$')]);
      await publish(TOPICS.workerHeartbeat, member, signed(member));
      await waitUntil('redos_probe to be registered', async () => (await api.get<{ items: TaskTypeView[] }>('/api/task-types')).body.items.some((t) => t.name === 'redos_probe'));

      // 2^29 backtracking steps for the regex engine JavaScript ships with; RE2 answers in one pass.
      const answer = await api.post('/api/tasks', { type: 'redos_probe', params: { name: `${'a'.repeat(28)}!` } });
      expect(answer.status).toBe(400);
      expect(String(answer.body.message)).toContain('params.name: must match pattern "^(a+)+$"');
      expect((await fetch(`${mesh.orchestratorUrl}/health/live`)).status).toBe(200);
      expect((await api.get<{ items: TaskTypeView[] }>('/api/task-types')).body.items.some((t) => t.name === 'backref_probe')).toBe(false);
    });
  });

  it("refused only the forgeries: none of the mesh's own reports, assignments or heartbeats was dead-lettered", () => {
    const deadLetters = observer.all(TOPICS.deadLetter).map((m) => Buffer.from((m.json as DeadLetterView).payload.valueBase64, 'base64').toString());
    expect(deadLetters.length).toBeGreaterThan(0);
    expect(deadLetters.filter((bytes) => !forgedBytes.has(bytes))).toEqual([]);
  });
});
