import { Logger } from '@nestjs/common';
import {
  decodeMessage,
  deadLetterEvent,
  type DeadLetter,
  type Envelope,
  type EventDefinition,
  type PayloadOf,
  toWellFormedText,
} from '@autocode/contracts';
import { runWithLogContext, type Startable } from '@autocode/runtime';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { deadLetterRecord } from './dead-letter-record';
import type { EventPublisher } from './event-publisher';
import type { KafkaConnection } from './kafka-connection';
import { HEADER, readHeaders, traceIdOf } from './message-headers';

/** Thrown by a handler when retrying cannot help: the message goes to the dead-letter topic at once. */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

export interface IncomingEvent<P = unknown> {
  envelope: Envelope<P>;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
}

export type EventHandler<P> = (event: IncomingEvent<P>) => Promise<void>;
export type BatchEventHandler<P> = (events: IncomingEvent<P>[]) => Promise<void>;

export interface ConsumerOptions {
  /** Logical group id; the namespace is added by the connection. */
  groupId: string;
  /**
   * Where a group with no committed offset starts. Defaults to the earliest
   * message: work published before a worker group first joined (or while it
   * was rejoining) is waiting for it, not skipped.
   */
  fromBeginning?: boolean;
  /** Partitions handled in parallel; each partition stays in order. */
  partitionsConsumedConcurrently?: number;
  /** Handler attempts before a message is dead-lettered. */
  maxHandlerAttempts?: number;
  retryBackoffMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxWaitTimeMs?: number;
}

/** Looks at headers only; messages it turns down are acknowledged without being decoded. */
export type HeaderFilter = (headers: Record<string, string>) => boolean;

type Registration =
  | { kind: 'each'; definition: EventDefinition; handler: EventHandler<unknown> }
  | { kind: 'batch'; definition: EventDefinition; handler: BatchEventHandler<unknown> };

type Decoded = { message: KafkaMessage; headers: Record<string, string> } & (
  | { status: 'valid'; event: IncomingEvent; registration?: Registration }
  | { status: 'invalid'; reason: string }
  | { status: 'skipped' }
);
type Valid = Extract<Decoded, { status: 'valid' }>;

/** `rejoining`: kafkajs is restarting the consumer after a retriable crash (a broker outage, say). */
export type ConsumerState = 'idle' | 'starting' | 'running' | 'rejoining' | 'crashed' | 'stopped';

/**
 * A consumer group that validates every message before a handler sees it.
 * Invalid messages, and messages whose handler keeps failing, go to the
 * dead-letter topic with the reason and original bytes; the consumer moves
 * on. Offsets are committed only after a message was handled or
 * dead-lettered, so a crash replays rather than loses.
 */
export class EventConsumer implements Startable {
  readonly name: string;
  private readonly logger: Logger;
  private readonly registrations = new Map<string, Registration>();
  private headerFilter?: HeaderFilter;
  private consumer?: Consumer;
  private _state: ConsumerState = 'idle';
  private lastError?: string;
  private restartTimer?: NodeJS.Timeout;
  private stopping = false;
  private assignment = new Map<string, number[]>();
  private readonly assignmentListeners: Array<() => void> = [];

  constructor(
    private readonly connection: KafkaConnection,
    private readonly publisher: EventPublisher,
    private readonly options: ConsumerOptions,
  ) {
    this.name = `consumer:${options.groupId}`;
    this.logger = new Logger(this.name);
  }

  on<D extends EventDefinition>(definition: D, handler: EventHandler<PayloadOf<D>>): this {
    return this.register({ kind: 'each', definition, handler: handler as EventHandler<unknown> });
  }

  /** For hot paths: contiguous messages of one type are handed over together. */
  onBatch<D extends EventDefinition>(definition: D, handler: BatchEventHandler<PayloadOf<D>>): this {
    return this.register({ kind: 'batch', definition, handler: handler as BatchEventHandler<unknown> });
  }

  /** Partitions of a (logical) topic this member consumes since the last rebalance. */
  partitionsOf(topic: string): number[] {
    return this.assignment.get(topic) ?? [];
  }

  onAssignmentChange(listener: () => void): void {
    this.assignmentListeners.push(listener);
  }

  /**
   * Skips messages by their headers before decoding (a cheap pre-filter for
   * consumers that care about a small share of a busy topic). Headers are
   * hints: a message that passes is still fully validated.
   */
  where(filter: HeaderFilter): this {
    this.headerFilter = filter;
    return this;
  }

  get state(): ConsumerState {
    return this._state;
  }

  get error(): string | undefined {
    return this.lastError;
  }

  async start(): Promise<void> {
    this.stopping = false;
    try {
      await this.join();
    } finally {
      // A stop() that came while joining found no consumer yet, or the one being replaced: close what was made.
      if (this.stopping) await this.stop();
    }
  }

  private async join(): Promise<void> {
    this._state = 'starting';
    const topics = [...new Set([...this.registrations.values()].map((r) => r.definition.topic))];
    await this.connection.connect();
    await this.connection.ensureTopics([...topics, deadLetterEvent.topic]);

    const consumer = this.connection.kafka.consumer({
      groupId: this.connection.groupId(this.options.groupId),
      sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 1000,
      maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 200,
      // Offsets are committed every 500 ms or 100 messages, not after every
      // batch: a synchronous commit per batch would cap throughput. After a
      // crash up to that much is delivered again; handlers are idempotent.
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.lastError = payload.error.message;
      if (payload.restart) {
        // kafkajs restarts it by itself; until it has rejoined, it consumes nothing.
        this._state = 'rejoining';
        return;
      }
      this._state = 'crashed';
      this.logger.error({ msg: 'consumer crashed; recreating', err: payload.error.message });
      this.scheduleRestart();
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this._state = 'running';
      this.lastError = undefined;
      this.assignment = new Map(
        Object.entries(payload.memberAssignment).map(([topic, partitions]) => [this.connection.logicalTopic(topic), [...partitions].sort((a, b) => a - b)]),
      );
      for (const listener of this.assignmentListeners) listener();
    });
    this.consumer = consumer;

    await consumer.connect().catch((error: Error) => {
      throw this.connection.explain(error);
    });
    await consumer.subscribe({ topics: topics.map((t) => this.connection.topic(t)), fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommitInterval: 500,
      autoCommitThreshold: 100,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    await this.waitForJoin();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const consumer = this.consumer;
    this.consumer = undefined;
    // disconnect() waits for the batch in hand and leaves the group, so the
    // next member takes over at once instead of after a session timeout.
    await consumer?.disconnect().catch(() => undefined);
    this._state = 'stopped';
  }

  private register(registration: Registration): this {
    if (this._state !== 'idle') throw new Error(`${this.name}: register handlers before start()`);
    this.registrations.set(registration.definition.type, registration);
    return this;
  }

  private async waitForJoin(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this._state === 'starting') {
      if (Date.now() > deadline) throw new Error(`${this.name}: did not join its group within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  private scheduleRestart(): void {
    if (this.stopping) return;
    this.restartTimer = setTimeout(async () => {
      try {
        await this.consumer?.disconnect().catch(() => undefined);
        // stop() may have come while the old consumer was leaving: then no new one.
        if (this.stopping) return;
        this._state = 'idle';
        await this.start();
        this.logger.log({ msg: 'consumer recreated after crash' });
      } catch (error) {
        if (this.stopping) return;
        this._state = 'crashed';
        this.lastError = (error as Error).message;
        this.scheduleRestart();
      }
    }, 2000);
    this.restartTimer.unref();
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    const logicalTopic = this.connection.logicalTopic(batch.topic);
    const decoded = batch.messages.map((message) => this.decode(logicalTopic, batch.partition, message));

    let index = 0;
    while (index < decoded.length) {
      if (!isRunning() || isStale()) return;
      const item = decoded[index];

      if (item.status === 'invalid') {
        this.logger.warn({ msg: 'dead-lettering invalid message', topic: logicalTopic, partition: batch.partition, offset: item.message.offset, reason: item.reason.slice(0, 300) });
        await this.deadLetter(batch.topic, batch.partition, item.message, item.reason, 'invalid', 0);
        resolveOffset(item.message.offset);
        index += 1;
      } else if (item.status === 'skipped' || !item.registration) {
        // An event this group does not handle shares the topic: acknowledge and move on.
        resolveOffset(item.message.offset);
        index += 1;
      } else if (item.registration.kind === 'each') {
        await this.runEach(item.registration.handler, item, batch.topic);
        resolveOffset(item.message.offset);
        index += 1;
      } else {
        const run: Valid[] = [];
        while (index < decoded.length) {
          const next = decoded[index];
          if (next.status !== 'valid' || next.registration !== item.registration) break;
          run.push(next);
          index += 1;
        }
        await this.runBatch(item.registration.handler, run, batch.topic);
        resolveOffset(run[run.length - 1].message.offset);
      }
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
  }

  /**
   * Never throws: a message that cannot be judged is invalid. (A throw here
   * would fail the whole batch, and kafkajs would replay it forever.)
   */
  private decode(logicalTopic: string, partition: number, message: KafkaMessage): Decoded {
    const headers = readHeaders(message.headers);
    try {
      if (this.headerFilter && !this.headerFilter(headers)) return { status: 'skipped', message, headers };
      const result = decodeMessage(logicalTopic, message.value);
      if (!result.ok) return { status: 'invalid', reason: result.reason, message, headers };
      return {
        status: 'valid',
        message,
        headers,
        registration: this.registrations.get(result.definition.type),
        event: {
          envelope: result.envelope,
          topic: logicalTopic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          headers,
        },
      };
    } catch (error) {
      return { status: 'invalid', reason: `message could not be decoded: ${(error as Error).name}: ${(error as Error).message}`, message, headers };
    }
  }

  private async runEach(handler: EventHandler<unknown>, item: Valid, physicalTopic: string): Promise<void> {
    const attempts = this.options.maxHandlerAttempts ?? 3;
    const { envelope } = item.event;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await runWithLogContext(
          { correlationId: envelope.correlationId, causationId: envelope.id, traceId: traceIdOf(item.headers) },
          () => handler(item.event),
        );
        return;
      } catch (error) {
        const permanent = error instanceof PermanentError;
        if (permanent || attempt >= attempts) {
          const reason = `handler failed after ${attempt} attempt(s): ${(error as Error).message}`;
          this.logger.warn({ msg: 'dead-lettering message', type: envelope.type, correlationId: envelope.correlationId, reason });
          await this.deadLetter(physicalTopic, item.event.partition, item.message, reason, 'handler-failed', attempt);
          return;
        }
        await sleep((this.options.retryBackoffMs ?? 200) * 2 ** (attempt - 1));
      }
    }
  }

  private async runBatch(
    handler: BatchEventHandler<unknown>,
    run: Valid[],
    physicalTopic: string,
  ): Promise<void> {
    const attempts = this.options.maxHandlerAttempts ?? 3;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        await handler(run.map((item) => item.event));
        return;
      } catch (error) {
        if (error instanceof PermanentError || run.length === 1) break;
        await sleep((this.options.retryBackoffMs ?? 200) * 2 ** (attempt - 1));
      }
    }
    // The batch keeps failing: handle one by one so only the culprit is dead-lettered.
    for (const item of run) await this.runEach((event) => handler([event]), item, physicalTopic);
  }

  private async deadLetter(
    physicalTopic: string,
    partition: number,
    message: KafkaMessage,
    reason: string,
    category: DeadLetter['category'],
    attempts: number,
  ): Promise<void> {
    const headers = readHeaders(message.headers);
    const record = deadLetterRecord(
      { topic: this.connection.logicalTopic(physicalTopic), partition, offset: message.offset, key: message.key, value: message.value, headers },
      { reason, category, consumerGroup: this.options.groupId, attempts },
    );
    // If this publish fails, the error propagates and the offset is not
    // committed: the message is retried, never silently lost. (The record
    // is bounded, so a broker refusing it as too large is not why.)
    await this.publisher.publish(deadLetterEvent, record.payload, {
      correlationId: validCorrelationId(headers[HEADER.correlationId]) ?? `dlq:${physicalTopic}:${partition}:${message.offset}`,
      causationId: null,
      headers: record.headers,
    });
  }
}

/** A correlation id from a hostile header is used only if the envelope schema would accept it. */
function validCorrelationId(value: string | undefined): string | undefined {
  return value && value.length <= 200 && value === toWellFormedText(value) ? value : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
