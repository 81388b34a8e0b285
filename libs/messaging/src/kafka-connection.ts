import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Logger } from '@nestjs/common';
import type { KafkaSecurityOptions } from '@autocode/runtime';
import { type Admin, Kafka, type KafkaConfig, logLevel, type Producer, type SASLOptions } from 'kafkajs';

export interface KafkaConnectionOptions {
  clientId: string;
  brokers: string[];
  /** Prefix for topics and groups so several meshes (or test runs) can share one broker. */
  namespace?: string;
  topicPartitions: number;
  replicationFactor: number;
  /** SASL and TLS for a secured cluster (see kafkaSecurityOf); plaintext without. */
  security?: KafkaSecurityOptions;
}

/**
 * The only place that constructs kafkajs objects. Everything else speaks in
 * logical topic names; this maps them to physical ones.
 */
export class KafkaConnection {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly admin: Admin;
  private readonly logger = new Logger('kafkajs');
  private connected?: Promise<void>;

  constructor(readonly options: KafkaConnectionOptions) {
    const config: KafkaConfig = {
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
      ...securityConfig(options.security),
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        const { message, ...rest } = entry.log;
        const line = { msg: message, namespace: entry.namespace, ...rest };
        if (entry.level === logLevel.ERROR) this.logger.error(line);
        else this.logger.warn(line);
      },
    };
    this.kafka = new Kafka(config);
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 5 } });
    this.admin = this.kafka.admin();
  }

  topic(logical: string): string {
    return this.options.namespace ? `${this.options.namespace}.${logical}` : logical;
  }

  logicalTopic(physical: string): string {
    const prefix = this.options.namespace ? `${this.options.namespace}.` : '';
    return prefix && physical.startsWith(prefix) ? physical.slice(prefix.length) : physical;
  }

  groupId(logical: string): string {
    return this.options.namespace ? `${this.options.namespace}.${logical}` : logical;
  }

  connect(): Promise<void> {
    // Both attempts are awaited and a half-made connection is closed, or the
    // client that has not failed yet would go on retrying (and reconnect) on its own.
    this.connected ??= Promise.allSettled([this.producer.connect(), this.admin.connect()]).then(async (outcomes) => {
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (!failed) return;
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
      throw failed.reason;
    });
    return this.connected.catch((error) => {
      this.connected = undefined;
      throw this.explain(error as Error);
    });
  }

  /** A refused login says so, and as whom (never with the password). */
  explain(error: Error): Error {
    const sasl = this.options.security?.sasl;
    if (!sasl || !/SASL|authenticat/i.test(`${error.name} ${error.message}`)) return error;
    const explained = new Error(`Kafka refused SASL ${sasl.mechanism.toUpperCase()} login as "${sasl.username}": ${error.message}`);
    explained.name = 'KafkaAuthenticationError';
    return explained;
  }

  /**
   * Creates missing topics (and grows partition counts) and waits for
   * leaders, so consumers never see "this server does not host this
   * topic-partition" on a fresh broker.
   */
  async ensureTopics(logicalTopics: readonly string[]): Promise<void> {
    const wanted = logicalTopics.map((t) => this.topic(t));
    const existing = new Set(await this.admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length) {
      try {
        await this.admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: this.options.topicPartitions,
            replicationFactor: this.options.replicationFactor,
          })),
        });
      } catch (error) {
        // Another service created them at the same moment.
        if (!/already exists/i.test((error as Error).message)) throw error;
      }
    }
    const present = wanted.filter((t) => existing.has(t));
    if (present.length) {
      const metadata = await this.admin.fetchTopicMetadata({ topics: present });
      const grow = metadata.topics
        .filter((t) => t.partitions.length < this.options.topicPartitions)
        .map((t) => ({ topic: t.name, count: this.options.topicPartitions }));
      if (grow.length) await this.admin.createPartitions({ topicPartitions: grow });
    }
  }

  async describeCluster(): Promise<{ brokers: number; controller: number | null; clusterId: string }> {
    const cluster = await this.admin.describeCluster();
    return { brokers: cluster.brokers.length, controller: cluster.controller, clusterId: cluster.clusterId };
  }

  async disconnect(): Promise<void> {
    this.connected = undefined;
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }
}

function securityConfig(security: KafkaSecurityOptions | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const config: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security?.sasl) {
    const { mechanism, username, password } = security.sasl;
    config.sasl = { mechanism, username, password } as SASLOptions;
  }
  if (security?.tls) {
    const { caFile, certFile, keyFile } = security.tls;
    const tls: ConnectionOptions = { rejectUnauthorized: true };
    if (caFile) tls.ca = [readFileSync(caFile, 'utf8')];
    if (certFile) tls.cert = readFileSync(certFile, 'utf8');
    if (keyFile) tls.key = readFileSync(keyFile, 'utf8');
    config.ssl = tls;
  }
  return config;
}
