import {
  type DynamicModule,
  Global,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ALL_TOPICS } from '@autocode/contracts';
import { BreakerRegistry } from '@autocode/resilience';
import {
  HealthRegistry,
  ServiceIdentity,
  ServiceRunner,
  type HealthCheckResult,
  type HealthIndicator,
  type Startable,
} from '@autocode/runtime';
import type { TopicMessages } from 'kafkajs';
import { type ConsumerOptions, EventConsumer } from './event-consumer';
import { EventPublisher } from './event-publisher';
import { KafkaConnection, type KafkaConnectionOptions } from './kafka-connection';

export type MessagingModuleOptions = Omit<KafkaConnectionOptions, 'clientId'>;

/** Creates consumer groups that start with the service and report in readiness. */
@Injectable()
export class ConsumerFactory {
  private readonly consumers: EventConsumer[] = [];

  constructor(
    private readonly connection: KafkaConnection,
    private readonly publisher: EventPublisher,
    private readonly runner: ServiceRunner,
  ) {}

  create(options: ConsumerOptions): EventConsumer {
    const consumer = new EventConsumer(this.connection, this.publisher, options);
    this.consumers.push(consumer);
    this.runner.register(consumer);
    return consumer;
  }

  all(): readonly EventConsumer[] {
    return this.consumers;
  }
}

@Injectable()
export class KafkaHealthIndicator implements HealthIndicator {
  readonly name = 'kafka';
  readonly critical = true;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly consumers: ConsumerFactory,
  ) {}

  async check(): Promise<HealthCheckResult> {
    await this.connection.connect();
    const cluster = await this.connection.describeCluster();
    const consumers = Object.fromEntries(this.consumers.all().map((c) => [c.name, c.error ? `${c.state}: ${c.error}` : c.state]));
    // A consumer that is not in its group consumes nothing, however healthy the broker looks.
    const notConsuming = this.consumers.all().filter((c) => c.state === 'crashed' || c.state === 'rejoining');
    return notConsuming.length
      ? { status: 'down', details: { ...cluster, consumers }, error: `not consuming: ${notConsuming.map((c) => c.name).join(', ')}` }
      : { status: 'up', details: { ...cluster, consumers } };
  }
}

/** Connects and provisions every catalogued topic before any consumer starts. */
@Injectable()
class TopicProvisioner implements Startable, OnModuleInit, OnApplicationShutdown {
  readonly name = 'kafka-topics';

  constructor(
    private readonly connection: KafkaConnection,
    private readonly runner: ServiceRunner,
    private readonly health: HealthRegistry,
    private readonly indicator: KafkaHealthIndicator,
  ) {}

  onModuleInit(): void {
    this.health.register(this.indicator);
    // Before any consumer or producer of the service starts.
    this.runner.register(this, -100);
  }

  async start(): Promise<void> {
    await this.connection.connect();
    await this.connection.ensureTopics(ALL_TOPICS);
  }

  async stop(): Promise<void> {
    // Connections close after every consumer stopped (see onApplicationShutdown).
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.disconnect();
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: KafkaConnection,
          inject: [ServiceIdentity],
          useFactory: (identity: ServiceIdentity) =>
            new KafkaConnection({ ...options, clientId: `${identity.service}-${identity.instanceId}` }),
        },
        {
          provide: EventPublisher,
          inject: [KafkaConnection, BreakerRegistry, ServiceIdentity],
          useFactory: (connection: KafkaConnection, breakers: BreakerRegistry, identity: ServiceIdentity) =>
            new EventPublisher(
              connection,
              breakers.create(
                'kafka-produce',
                async (batch: TopicMessages[]) => {
                  await connection.connect();
                  await connection.producer.sendBatch({ topicMessages: batch, acks: -1 });
                },
                { timeoutMs: 15_000, critical: true, volumeThreshold: 10 },
              ),
              identity.service,
            ),
        },
        ConsumerFactory,
        KafkaHealthIndicator,
        TopicProvisioner,
      ],
      exports: [KafkaConnection, EventPublisher, ConsumerFactory],
    };
  }
}
