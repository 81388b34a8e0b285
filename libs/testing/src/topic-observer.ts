import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { waitUntil } from './wait-until';

export interface ObservedMessage {
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  value: string;
  json: unknown;
}

/**
 * Reads topics from the beginning with a group of its own and keeps every
 * message, so a test can assert what travelled over Kafka.
 */
export class TopicObserver {
  private readonly messages: ObservedMessage[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly namespace: string,
  ) {}

  static create(brokers: string, namespace: string): TopicObserver {
    return new TopicObserver(new Kafka({ clientId: `observer-${namespace}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING }), namespace);
  }

  physical(topic: string): string {
    return `${this.namespace}.${topic}`;
  }

  async start(topics: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = topics.map((t) => this.physical(t)).filter((t) => !existing.has(t));
    if (missing.length) {
      await admin
        .createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: 3 })) })
        .catch(() => undefined);
    }
    await admin.disconnect();

    this.consumer = this.kafka.consumer({
      groupId: `observer-${randomBytes(4).toString('hex')}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 100,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: topics.map((t) => this.physical(t)), fromBeginning: true });
    let joined = false;
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (joined = true));
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const value = message.value?.toString('utf8') ?? '';
        let json: unknown = null;
        try {
          json = JSON.parse(value);
        } catch {
          json = null;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
        this.messages.push({ topic: topic.slice(this.namespace.length + 1), key: message.key?.toString() ?? null, headers, value, json });
      },
    });
    await waitUntil('observer to join its group', () => joined, { timeoutMs: 30_000 });
  }

  all(topic?: string): ObservedMessage[] {
    return topic ? this.messages.filter((m) => m.topic === topic) : [...this.messages];
  }

  waitFor(what: string, predicate: (m: ObservedMessage) => boolean, timeoutMs = 30_000): Promise<ObservedMessage> {
    return waitUntil(what, () => this.messages.find(predicate), { timeoutMs });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
