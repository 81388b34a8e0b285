import { Logger } from '@nestjs/common';
import {
  buildEnvelope,
  encodeEnvelope,
  type Envelope,
  type EventDefinition,
  maxMessageBytes,
  type PayloadOf,
} from '@autocode/contracts';
import type { CircuitBreaker } from '@autocode/resilience';
import { currentLogContext } from '@autocode/runtime';
import type { Message, TopicMessages } from 'kafkajs';
import type { KafkaConnection } from './kafka-connection';
import { headersFor } from './message-headers';

export interface PublishOptions {
  /** Partition key; messages with one key stay in order. Defaults to the correlation id. */
  key?: string;
  /** An explicit partition (used to reach the worker that owns it); overrides the key's partition. */
  partition?: number;
  /** A stable envelope id, so a re-sent message is recognisable as the same one. */
  id?: string;
  /** Extra headers, for consumers that filter before decoding. */
  headers?: Record<string, string>;
  /** Defaults to the correlation id of the work in hand. */
  correlationId?: string;
  causationId?: string | null;
}

export interface OutgoingEvent<D extends EventDefinition = EventDefinition> {
  definition: D;
  payload: PayloadOf<D>;
  options?: PublishOptions;
}

interface Pending {
  batch: TopicMessages[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The only way a service sends events: payloads go through the event's
 * schema first, then out through a circuit breaker so a broker outage fails
 * fast instead of piling up callers. Sends made in the same turn of the
 * event loop travel in one produce request (like a producer's linger).
 */
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);
  private pending: Pending[] = [];
  private flushScheduled = false;

  constructor(
    private readonly connection: KafkaConnection,
    private readonly breaker: CircuitBreaker<[TopicMessages[]], void>,
    private readonly producerName: string,
  ) {}

  async publish<D extends EventDefinition>(
    definition: D,
    payload: PayloadOf<D>,
    options: PublishOptions = {},
  ): Promise<Envelope<PayloadOf<D>>> {
    const [envelope] = await this.publishAll([{ definition, payload, options }]);
    return envelope as Envelope<PayloadOf<D>>;
  }

  /** Builds and sends many events in one request per topic. */
  async publishAll(events: OutgoingEvent[]): Promise<Envelope[]> {
    const byTopic = new Map<string, Message[]>();
    const envelopes: Envelope[] = [];
    for (const { definition, payload, options = {} } of events) {
      const envelope = this.build(definition, payload, options);
      envelopes.push(envelope);
      const topic = this.connection.topic(definition.topic);
      const messages = byTopic.get(topic) ?? [];
      const value = encodeEnvelope(envelope);
      // Consumers refuse what exceeds the topic's limit; better the producer hears it.
      const limit = maxMessageBytes(definition.topic);
      if (value.length > limit) throw new Error(`${definition.type} message of ${value.length} bytes exceeds the ${limit}-byte limit of ${definition.topic}`);
      messages.push({
        key: options.key ?? envelope.correlationId,
        value,
        headers: headersFor(envelope, options.headers),
        ...(options.partition === undefined ? {} : { partition: options.partition }),
      });
      byTopic.set(topic, messages);
    }
    await this.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
    return envelopes;
  }

  /** Sends bytes as they are (used for dead letters and by tests that publish bad input). */
  async publishRaw(logicalTopic: string, messages: Message[]): Promise<void> {
    await this.send([{ topic: this.connection.topic(logicalTopic), messages }]);
  }

  private send(batch: TopicMessages[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const pending = this.pending;
    this.pending = [];
    const byTopic = new Map<string, Message[]>();
    for (const { batch } of pending) {
      for (const { topic, messages } of batch) byTopic.set(topic, [...(byTopic.get(topic) ?? []), ...messages]);
    }
    try {
      await this.breaker.fire([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      for (const p of pending) p.resolve();
    } catch (error) {
      for (const p of pending) p.reject(error);
      this.logger.debug({ msg: 'publish failed', err: (error as Error).message });
    }
  }

  private build<D extends EventDefinition>(definition: D, payload: PayloadOf<D>, options: PublishOptions): Envelope {
    const context = currentLogContext();
    const correlationId = options.correlationId ?? context.correlationId;
    if (!correlationId) throw new Error(`publishing ${definition.type} needs a correlationId`);
    return buildEnvelope(definition, payload, {
      id: options.id,
      producer: this.producerName,
      correlationId,
      causationId: options.causationId === undefined ? (context.causationId ?? null) : options.causationId,
    });
  }
}
