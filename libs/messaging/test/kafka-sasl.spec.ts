import { randomUUID } from 'node:crypto';
import { triggerRequestedEvent } from '@autocode/contracts';
import { CircuitBreaker } from '@autocode/resilience';
import { randomCredentials, testNamespace, ThrowawayKafka, waitUntil, type Credentials } from '@autocode/testing';
import type { TopicMessages } from 'kafkajs';
import { EventConsumer } from '../src/event-consumer';
import { EventPublisher } from '../src/event-publisher';
import { KafkaConnection } from '../src/kafka-connection';

/**
 * The messaging lib against a broker of the test's own that requires
 * SCRAM-SHA-256 logins (credentials made up at run time).
 */
describe('Kafka with SASL/SCRAM', () => {
  const user = randomCredentials('svc');
  let broker: ThrowawayKafka;
  const opened: Array<{ connection: KafkaConnection; breaker?: CircuitBreaker<[TopicMessages[]], void> }> = [];
  const consumers: EventConsumer[] = [];

  const connect = (credentials: Credentials) => {
    const connection = new KafkaConnection({
      clientId: `sasl-test-${randomUUID().slice(0, 8)}`,
      brokers: [broker.saslBrokers],
      namespace: testNamespace('sasl'),
      topicPartitions: 1,
      replicationFactor: 1,
      security: { sasl: { mechanism: 'scram-sha-256', ...credentials } },
    });
    const breaker = new CircuitBreaker('kafka-produce', async (batch: TopicMessages[]) => {
      await connection.producer.sendBatch({ topicMessages: batch });
    });
    opened.push({ connection, breaker });
    return { connection, publisher: new EventPublisher(connection, breaker, 'sasl-test') };
  };

  beforeAll(async () => {
    broker = await ThrowawayKafka.start({ scramUsers: [user] });
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    for (const { connection, breaker } of opened) {
      await connection.disconnect();
      breaker?.shutdown();
    }
    await broker?.destroy();
  });

  it('publishes and consumes over a SCRAM-SHA-256 login', async () => {
    const { connection, publisher } = connect(user);
    const received: string[] = [];
    const consumer = new EventConsumer(connection, publisher, { groupId: 'sasl-group' }).on(triggerRequestedEvent, async ({ envelope }) => {
      received.push(envelope.correlationId);
    });
    consumers.push(consumer);
    await consumer.start();

    const correlationId = `over-scram-${randomUUID()}`;
    await publisher.publish(triggerRequestedEvent, { source: 'kafka', reason: 'sasl' }, { correlationId });
    await waitUntil('the trigger to arrive over SCRAM', () => received.includes(correlationId));
    expect(consumer.state).toBe('running');
    expect(await connection.describeCluster()).toMatchObject({ brokers: 1 });
  });

  it('refuses a wrong password with an error that names the user and not the password', async () => {
    const wrong = { username: user.username, password: `${user.password}-wrong` };
    const { connection } = connect(wrong);
    const written: string[] = [];
    const capture = (stream: NodeJS.WriteStream) => {
      const original = stream.write.bind(stream);
      const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        written.push(String(chunk));
        return original(chunk, ...(rest as []));
      });
      return spy;
    };
    const spies = [capture(process.stdout), capture(process.stderr)];
    let failure: Error | undefined;
    try {
      await connection.connect();
    } catch (error) {
      failure = error as Error;
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(failure?.name).toBe('KafkaAuthenticationError');
    expect(failure?.message).toMatch(new RegExp(`^Kafka refused SASL SCRAM-SHA-256 login as "${user.username}": .*authentication failed`, 'i'));
    expect(failure?.message).not.toContain(user.password);
    // Nothing the client logged on the way carries the secret either.
    expect(written.join('')).not.toContain(user.password);
  });

  it('goes unready when the broker goes away and recovers on its own when it is back', async () => {
    const { connection, publisher } = connect(user);
    const received: string[] = [];
    const consumer = new EventConsumer(connection, publisher, { groupId: 'outage-group', sessionTimeoutMs: 6000 }).on(triggerRequestedEvent, async ({ envelope }) => {
      received.push(envelope.correlationId);
    });
    consumers.push(consumer);
    await consumer.start();

    await broker.halt();
    // kafkajs gives up its retries and crashes the consumer; readiness reports it (rejoining or crashed).
    await waitUntil('the consumer to report the outage', () => consumer.state !== 'running', { timeoutMs: 120_000, intervalMs: 250 });
    await broker.resume();
    await waitUntil('the consumer to rejoin its group', () => consumer.state === 'running', { timeoutMs: 120_000, intervalMs: 250 });

    const correlationId = `after-outage-${randomUUID()}`;
    await publisher.publish(triggerRequestedEvent, { source: 'kafka', reason: 'after outage' }, { correlationId });
    await waitUntil('a trigger sent after the outage to arrive', () => received.includes(correlationId), { timeoutMs: 60_000 });
  });
});
