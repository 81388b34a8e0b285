import { randomUUID } from 'node:crypto';
import { TOPICS } from '@autocode/contracts';
import { deleteNamespaceTopics, Mesh, publishRaw, TEST_INFRA, testNamespace, TopicObserver } from '@autocode/testing';
import { OrchestratorApi } from './orchestrator-api';
import { createSampleRepo } from './sample-repo';

interface DeadLetterView {
  payload: { originalTopic: string; reason: string; category: string; valueBase64: string; consumerGroup: string };
}

/** Bad input is refused with a reason, loses nothing and crashes nothing. */
describe('bad input', () => {
  const namespace = testNamespace('bad');
  let sample: ReturnType<typeof createSampleRepo>;
  const observer = TopicObserver.create(TEST_INFRA.kafkaBrokers, namespace);
  let mesh: Mesh;
  let api: OrchestratorApi;

  beforeAll(async () => {
    sample = createSampleRepo();
    await observer.start([TOPICS.deadLetter, TOPICS.triggerRequested]);
    mesh = await Mesh.start({ namespace, targetRepository: sample.path });
    api = new OrchestratorApi(mesh.orchestratorUrl);
  });

  afterAll(async () => {
    await mesh?.stop();
    await observer.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    sample?.remove();
  });

  const envelope = (overrides: Record<string, unknown>) =>
    JSON.stringify({
      id: randomUUID(),
      type: 'trigger.requested',
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      correlationId: 'bad-input-test',
      causationId: null,
      producer: 'e2e',
      payload: {},
      ...overrides,
    });

  it('dead-letters malformed JSON, a wrong schema version and an unknown event type, then still completes a valid trigger', async () => {
    const bad = {
      malformed: '{"id": "not closed',
      wrongVersion: envelope({ schemaVersion: 7 }),
      unknownType: envelope({ type: 'trigger.exploded' }),
    };
    await publishRaw(TEST_INFRA.kafkaBrokers, observer.physical(TOPICS.triggerRequested), Object.values(bad));

    const deadLetter = async (original: string) => {
      const message = await observer.waitFor(`dead letter for ${original.slice(0, 30)}`, (m) => {
        const payload = (m.json as DeadLetterView | null)?.payload;
        return m.topic === TOPICS.deadLetter && Buffer.from(payload?.valueBase64 ?? '', 'base64').toString() === original;
      });
      return (message.json as DeadLetterView).payload;
    };

    const malformed = await deadLetter(bad.malformed);
    expect(malformed).toMatchObject({ originalTopic: TOPICS.triggerRequested, category: 'invalid', consumerGroup: 'orchestrator.triggers' });
    expect(malformed.reason).toMatch(/^malformed JSON/);
    expect((await deadLetter(bad.wrongVersion)).reason).toContain('unsupported schemaVersion 7 for trigger.requested');
    expect((await deadLetter(bad.unknownType)).reason).toContain('unknown event type "trigger.exploded"');

    // Every service is still up and ready.
    for (const service of mesh.services.values()) {
      expect(service.exited).toBeUndefined();
      expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    }

    // The next valid trigger, through the same topic, still goes all the way.
    await publishRaw(TEST_INFRA.kafkaBrokers, observer.physical(TOPICS.triggerRequested), [envelope({ payload: { reason: 'valid after bad', kinds: ['recent-changes'] } })]);
    const trigger = await api.waitForTrigger((t) => t.source === 'kafka');
    const run = await api.waitForRun(trigger.runId!);
    expect(run.nodes.map((n) => [n.nodeId, n.status])).toEqual([
      ['plan', 'SUCCESS'],
      ['improve', 'SUCCESS'],
    ]);
  });

  it.each([
    ['a wrong type', { lookbackHours: 'soon' }, 'body.lookbackHours'],
    ['an out-of-range number', { lookbackHours: 0 }, 'body.lookbackHours'],
    ['an unknown field', { colour: 'red' }, 'colour'],
    ['a path escaping the repository', { paths: ['../etc/passwd'] }, 'body.paths.0'],
    ['a body that is not an object', [1, 2], 'body'],
  ])('answers 400 naming the field for %s', async (_label, body, field) => {
    const { status, body: error } = await api.post('/api/trigger-generation', body);
    expect(status).toBe(400);
    expect(String(error.message)).toContain(field);
  });

  it('answers 400 for malformed JSON and 404 for an unknown task', async () => {
    const malformed = await api.post('/api/trigger-generation', '{"reason": ', true);
    expect(malformed.status).toBe(400);
    expect(String(malformed.body.message)).toMatch(/JSON/);

    expect((await api.get('/api/tasks/not-a-task-id')).status).toBe(400);
    expect((await api.get('/api/tasks/tsk_doesnotexist')).status).toBe(404);
    expect((await api.get('/api/tasks?limit=100000')).status).toBe(400);
  });
});
