import { randomUUID } from 'node:crypto';
import { deadLetterEvent, InvalidPayloadError, newLeaseToken, taskProgressEvent, TOPICS, type TaskProgress } from '@autocode/contracts';
import { CircuitBreaker } from '@autocode/resilience';
import { deleteNamespaceTopics, TEST_INFRA, testNamespace, TopicObserver, waitUntil } from '@autocode/testing';
import type { TopicMessages } from 'kafkajs';
import { EventConsumer, PermanentError } from '../src/event-consumer';
import { EventPublisher } from '../src/event-publisher';
import { KafkaConnection } from '../src/kafka-connection';

/** The consumer against a real broker: validation, retries, dead letters, batches. */
describe('EventConsumer on a real broker', () => {
  const namespace = testNamespace('msg');
  const connection = new KafkaConnection({
    clientId: `test-${namespace}`,
    brokers: TEST_INFRA.kafkaBrokers.split(','),
    namespace,
    topicPartitions: 1,
    replicationFactor: 1,
  });
  const breaker = new CircuitBreaker('kafka-produce', async (batch: TopicMessages[]) => {
    await connection.producer.sendBatch({ topicMessages: batch });
  });
  const publisher = new EventPublisher(connection, breaker, 'messaging-test');
  const observer = TopicObserver.create(TEST_INFRA.kafkaBrokers, namespace);
  const consumers: EventConsumer[] = [];

  const progress = (taskId: string, percent: number): TaskProgress => ({
    taskId,
    attempt: 1,
    workerId: 'node-a',
    leaseToken: newLeaseToken(),
    percent,
    message: `at ${percent}`,
  });
  const newTaskId = () => `tsk_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

  function consumer(group: string): EventConsumer {
    const created = new EventConsumer(connection, publisher, { groupId: group, maxHandlerAttempts: 3, retryBackoffMs: 10 });
    consumers.push(created);
    return created;
  }

  beforeAll(async () => {
    await connection.connect();
    await connection.ensureTopics([TOPICS.taskProgress, TOPICS.deadLetter]);
    await observer.start([TOPICS.deadLetter]);
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await observer.stop();
    await connection.disconnect();
    breaker.shutdown();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
  });

  const deadLetterFor = async (taskId: string) => {
    const message = await observer.waitFor(`dead letter for ${taskId}`, (m) => Buffer.from((m.json as { payload: { valueBase64: string } }).payload.valueBase64, 'base64').toString().includes(taskId));
    return (message.json as { payload: Record<string, unknown> }).payload;
  };

  it('retries a failing handler, dead-letters the message with the reason, and goes on', async () => {
    const poisoned = newTaskId();
    const healthy = newTaskId();
    const attempts = new Map<string, number>();
    const handled: string[] = [];
    const c = consumer('retry-group').on(taskProgressEvent, async ({ envelope }) => {
      const id = envelope.payload.taskId;
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      if (id === poisoned) throw new Error('database on fire');
      handled.push(id);
    });
    await c.start();

    await publisher.publish(taskProgressEvent, progress(poisoned, 10), { correlationId: poisoned });
    await publisher.publish(taskProgressEvent, progress(healthy, 20), { correlationId: healthy });

    await waitUntil('the healthy message to be handled', () => handled.includes(healthy));
    expect(attempts.get(poisoned)).toBe(3);
    const dead = await deadLetterFor(poisoned);
    expect(dead).toMatchObject({
      originalTopic: TOPICS.taskProgress,
      category: 'handler-failed',
      consumerGroup: 'retry-group',
      attempts: 3,
    });
    expect(dead.reason).toContain('database on fire');
    expect(dead.headers).toMatchObject({ 'correlation-id': poisoned, 'event-type': 'task.progress' });
  });

  it('dead-letters at once when the handler says retrying cannot help', async () => {
    const doomed = newTaskId();
    let calls = 0;
    const c = consumer('permanent-group').on(taskProgressEvent, async ({ envelope }) => {
      if (envelope.payload.taskId !== doomed) return;
      calls += 1;
      throw new PermanentError('unknown repository');
    });
    await c.start();
    await publisher.publish(taskProgressEvent, progress(doomed, 30), { correlationId: doomed });
    expect(await deadLetterFor(doomed)).toMatchObject({ attempts: 1, category: 'handler-failed' });
    expect(calls).toBe(1);
  });

  it('isolates the one bad message of a failing batch', async () => {
    const ids = [newTaskId(), newTaskId(), newTaskId(), newTaskId()];
    const bad = ids[2];
    const handled = new Set<string>();
    const c = consumer('batch-group').onBatch(taskProgressEvent, async (events) => {
      if (events.some((e) => e.envelope.payload.taskId === bad)) throw new Error(`cannot take ${bad}`);
      for (const e of events) handled.add(e.envelope.payload.taskId);
    });
    await c.start();
    await publisher.publishAll(ids.map((id) => ({ definition: taskProgressEvent, payload: progress(id, 50), options: { correlationId: id } })));

    await waitUntil('every good message handled', () => ids.filter((id) => id !== bad).every((id) => handled.has(id)));
    expect(handled.has(bad)).toBe(false);
    expect((await deadLetterFor(bad)).reason).toContain(`cannot take ${bad}`);
  });

  it('refuses to publish a payload that breaks its schema, sending nothing', async () => {
    const before = observer.all().length;
    await expect(
      publisher.publish(taskProgressEvent, { ...progress(newTaskId(), 1), percent: 140 }, { correlationId: 'x' }),
    ).rejects.toThrow(InvalidPayloadError);
    await expect(publisher.publish(deadLetterEvent, {} as never, { correlationId: 'x' })).rejects.toThrow('payload.originalTopic');
    expect(observer.all().length).toBe(before);
  });
});
