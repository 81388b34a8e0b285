import { createHash, randomUUID } from 'node:crypto';
import {
  BROKER_MAX_MESSAGE_BYTES,
  type DeadLetter,
  MAX_JSON_DEPTH,
  taskResultEvent,
  TOPICS,
  triggerRequestedEvent,
  workerHeartbeatEvent,
} from '@autocode/contracts';
import { CircuitBreaker } from '@autocode/resilience';
import { deleteNamespaceTopics, TEST_INFRA, testNamespace, TopicObserver, waitUntil, type ObservedMessage } from '@autocode/testing';
import type { TopicMessages } from 'kafkajs';
import { EventConsumer } from '../src/event-consumer';
import { EventPublisher } from '../src/event-publisher';
import { KafkaConnection } from '../src/kafka-connection';

/**
 * The messages that used to take a consumer out of service, sent as any
 * Kafka client could: each is dead-lettered with its reason in a record that
 * fits the broker, and the next valid message on the same partition is handled.
 */
describe('poison messages on a real broker', () => {
  const namespace = testNamespace('poison');
  const connection = new KafkaConnection({ clientId: `test-${namespace}`, brokers: TEST_INFRA.kafkaBrokers.split(','), namespace, topicPartitions: 1, replicationFactor: 1 });
  const breaker = new CircuitBreaker('kafka-produce', async (batch: TopicMessages[]) => {
    await connection.producer.sendBatch({ topicMessages: batch });
  });
  const publisher = new EventPublisher(connection, breaker, 'poison-test');
  const observer = TopicObserver.create(TEST_INFRA.kafkaBrokers, namespace);
  const handled = new Map<string, string[]>();
  const record = (topic: string, id: string) => handled.set(topic, [...(handled.get(topic) ?? []), id]);
  let consumer: EventConsumer;

  const envelope = (type: string, payload: unknown, correlationId: string = randomUUID()) =>
    JSON.stringify({ id: randomUUID(), type, schemaVersion: 1, occurredAt: new Date().toISOString(), correlationId, causationId: null, producer: 'hostile', payload });
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const taskId = () => `tsk_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

  beforeAll(async () => {
    await connection.connect();
    await connection.ensureTopics([TOPICS.triggerRequested, TOPICS.taskResult, TOPICS.workerHeartbeat, TOPICS.deadLetter]);
    await observer.start([TOPICS.deadLetter]);
    consumer = new EventConsumer(connection, publisher, { groupId: 'poison-group', maxHandlerAttempts: 2, retryBackoffMs: 10 })
      .on(triggerRequestedEvent, async ({ envelope: e }) => {
        if (e.payload.reason === 'overflow-in-handler') overflow(0);
        record(TOPICS.triggerRequested, e.correlationId);
      })
      .on(taskResultEvent, async ({ envelope: e }) => void record(TOPICS.taskResult, e.payload.taskId))
      .on(workerHeartbeatEvent, async ({ envelope: e }) => void record(TOPICS.workerHeartbeat, e.payload.workerId));
    await consumer.start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await observer.stop();
    await connection.disconnect();
    breaker.shutdown();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
  });

  const deadLetterAt = async (topic: string, offset: string): Promise<{ payload: DeadLetter; message: ObservedMessage }> => {
    const message = await observer.waitFor(`dead letter of ${topic}@${offset}`, (m) => {
      const payload = (m.json as { payload?: DeadLetter } | null)?.payload;
      return payload?.originalTopic === topic && payload.offset === offset;
    });
    return { payload: (message.json as { payload: DeadLetter }).payload, message };
  };

  /** Sends raw values to partition 0 of a topic, as an arbitrary client would; returns their offsets. */
  const sendRaw = async (topic: string, values: Buffer[]): Promise<string[]> => {
    const [metadata] = await connection.producer.send({ topic: connection.topic(topic), messages: values.map((value) => ({ value, partition: 0 })) });
    const base = BigInt(metadata.baseOffset ?? '0');
    return values.map((_, i) => String(base + BigInt(i)));
  };

  it.each([
    ['an 800 KB invalid trigger', () => Buffer.from(envelope('trigger.requested', { source: 'kafka', reason: 'x'.repeat(800 * 1024) })), /exceeds the 262144-byte limit/],
    ['a trigger nested 3,000 deep', () => Buffer.from(envelope('trigger.requested', { source: 'kafka', reason: JSON.parse('[1]'), deep: '@' }).replace('"@"', nested(3000))), new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`)],
    ['a lone surrogate', () => Buffer.from(envelope('trigger.requested', { source: 'kafka', reason: '@' }).replace('"@"', '"\\udead"')), /lone surrogate \\udead/],
    ['a payload that is not UTF-8', () => Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]), /not valid UTF-8/],
    ['truncated JSON', () => Buffer.from(envelope('trigger.requested', { source: 'kafka' })).subarray(0, 60), /^malformed JSON/],
  ])('dead-letters %s with the reason, then handles the next valid trigger', async (_label, poison, reason) => {
    const bytes = poison();
    const next = `next-${randomUUID()}`;
    const [poisonOffset] = await sendRaw(TOPICS.triggerRequested, [bytes, Buffer.from(envelope('trigger.requested', { source: 'kafka' }, next))]);

    await waitUntil('the next valid trigger to be handled', () => handled.get(TOPICS.triggerRequested)?.includes(next));
    const { payload, message } = await deadLetterAt(TOPICS.triggerRequested, poisonOffset);
    expect(payload).toMatchObject({ category: 'invalid', consumerGroup: 'poison-group', originalSizeBytes: bytes.length });
    expect(payload.reason).toMatch(reason);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(payload.originalSha256).toBe(sha256);
    expect(message.headers).toMatchObject({ 'original-size': String(bytes.length), 'original-sha256': sha256, 'original-topic': TOPICS.triggerRequested });
    expect(Buffer.byteLength(message.value)).toBeLessThan(BROKER_MAX_MESSAGE_BYTES);
    // Kept whole when small; only the beginning of the 800 KB one, flagged.
    const copy = Buffer.from(payload.valueBase64, 'base64');
    expect(payload.valueTruncated).toBe(bytes.length > copy.length);
    expect(bytes.subarray(0, copy.length).equals(copy)).toBe(true);
  });

  it.each([
    [TOPICS.taskResult, () => envelope('task.result', { taskId: taskId(), attempt: 1, workerId: 'w1', type: 'noop', outcome: 'succeeded', output: '@' }).replace('"@"', nested(3000))],
    [TOPICS.workerHeartbeat, () => envelope('worker.heartbeat', { workerId: 'w', pool: 'generation', capacity: 1, taskTypes: '@' }).replace('"@"', `[{"x":${nested(2999)}}]`)],
  ])('dead-letters a message nested 3,000 deep on %s and stays in service', async (topic, poison) => {
    const [poisonOffset] = await sendRaw(topic, [Buffer.from(poison())]);
    expect((await deadLetterAt(topic, poisonOffset)).payload.reason).toMatch(/nested deeper than 64 levels/);
    // The same consumer (one group, one member) still handles what comes next.
    const next = `next-${randomUUID()}`;
    await sendRaw(TOPICS.triggerRequested, [Buffer.from(envelope('trigger.requested', { source: 'kafka' }, next))]);
    await waitUntil('the next valid trigger to be handled', () => handled.get(TOPICS.triggerRequested)?.includes(next));
    expect(consumer.state).toBe('running');
  });

  it('dead-letters a message whose handler overflows the stack, and goes on', async () => {
    const next = `next-${randomUUID()}`;
    const [offset] = await sendRaw(TOPICS.triggerRequested, [
      Buffer.from(envelope('trigger.requested', { source: 'kafka', reason: 'overflow-in-handler' })),
      Buffer.from(envelope('trigger.requested', { source: 'kafka' }, next)),
    ]);
    await waitUntil('the next valid trigger to be handled', () => handled.get(TOPICS.triggerRequested)?.includes(next));
    const { payload } = await deadLetterAt(TOPICS.triggerRequested, offset);
    expect(payload).toMatchObject({ category: 'handler-failed', attempts: 2 });
    expect(payload.reason).toContain('Maximum call stack size exceeded');
    expect(consumer.state).toBe('running');
  });
});

function overflow(depth: number): number {
  return overflow(depth + 1) + 1;
}
