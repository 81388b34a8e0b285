import { Kafka, logLevel } from 'kafkajs';

/** Deletes every topic of a test namespace, so runs do not pile up partitions on the broker. */
export async function deleteNamespaceTopics(brokers: string, namespace: string): Promise<void> {
  const admin = new Kafka({ clientId: 'test-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

/** Publishes raw bytes, as an arbitrary Kafka client would (with headers, e.g. a signature, when given). */
export async function publishRaw(brokers: string, topic: string, values: Array<string | Buffer>, partition?: number, headers?: Record<string, string>): Promise<void> {
  const producer = new Kafka({ clientId: 'test-publisher', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((value) => ({ value, headers, ...(partition === undefined ? {} : { partition }) })) });
  } finally {
    await producer.disconnect();
  }
}
