import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  ASSIGNMENT_EVENTS,
  SIGNATURE_HEADER,
  signPayload,
  taskControlEvent,
  taskLifecycleEvent,
  type JsonObject,
  type JsonValue,
  type TaskPriority,
  type TaskTransition,
  type WorkerPool,
} from '@autocode/contracts';
import { EventPublisher, type OutgoingEvent } from '@autocode/messaging';
import { SERVICE_CONFIG, ServiceIdentity, ServiceRunner, type Startable } from '@autocode/runtime';
import { RedisConnection } from '@autocode/state';
import type { Redis } from 'ioredis';
import type { OrchestratorConfig } from '../config/orchestrator.config';
import { TaskKeys } from '../tasks/task-keys';
import { TaskSignals } from '../tasks/task-signals';

type OutboxRecord =
  | { kind: 'lifecycle'; taskId: string; entry: string; type: string; priority: TaskPriority; correlationId?: string | null }
  | {
      kind: 'assignment';
      taskId: string;
      attempt: number;
      type: string;
      pool: WorkerPool;
      workerId: string;
      /** The attempt's lease token: only here, in transit, and in the assignment (the task keeps its hash). */
      leaseToken: string;
      partition: number;
      priority: TaskPriority;
      params: string;
      deadlineMs: number;
      checkpoint: string;
    }
  | { kind: 'control'; taskId: string; attempt: number; workerId: string; leaseHash: string; reason: string };

const GROUP = 'relay';
const BATCH = 500;
const CLAIM_IDLE_MS = 10_000;

/**
 * Publishes what task changes wrote to the Redis outbox stream: lifecycle
 * events, assignments (to the partition of the chosen worker) and stop
 * orders. A change and its messages are written in one atomic script, so a
 * crash between "state changed" and "message sent" loses nothing: the
 * record stays pending and is sent (by this or another instance) later.
 * Envelope ids derive from the stream entry id, so a record sent twice
 * carries the same id both times.
 */
@Injectable()
export class OutboxRelay implements Startable, OnModuleInit {
  readonly name = 'outbox-relay';
  private readonly logger = new Logger(OutboxRelay.name);
  private reader?: Redis;
  private stopped = true;
  private loop?: Promise<void>;
  private claimTimer?: NodeJS.Timeout;
  private wake?: () => void;
  /** Set by a nudge that arrived while the relay was busy, so it does not then sleep. */
  private nudged = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: TaskKeys,
    private readonly publisher: EventPublisher,
    private readonly identity: ServiceIdentity,
    private readonly runner: ServiceRunner,
    signals: TaskSignals,
    @Inject(SERVICE_CONFIG) private readonly config: Pick<OrchestratorConfig, 'MESH_SECRET'>,
  ) {
    signals.onOutbox(() => {
      this.nudged = true;
      this.wake?.();
    });
  }

  onModuleInit(): void {
    this.runner.register(this);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.reader = this.redis.duplicate();
    await this.redis.client.xgroup('CREATE', this.keys.outbox(), GROUP, '0', 'MKSTREAM').catch((error: Error) => {
      if (!/BUSYGROUP/.test(error.message)) throw error;
    });
    // First what this consumer left pending before a restart, then new records.
    await this.drain('0');
    this.loop = this.run();
    this.claimTimer = setInterval(() => void this.claimAbandoned(), CLAIM_IDLE_MS / 2);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.claimTimer);
    this.wake?.();
    await this.loop;
    this.reader?.disconnect();
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.stopped) {
      try {
        const sent = await this.drain('>');
        backoff = 100;
        if (sent === 0) await this.idle(50);
      } catch (error) {
        this.logger.error({ msg: 'outbox relay failed; retrying', err: (error as Error).message, retryInMs: backoff });
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, 5000);
        // Re-read our own pending records: they were not acknowledged.
        await this.drain('0').catch(() => undefined);
      }
    }
  }

  /** Waits for a nudge from a local change, at most `ms` (other instances' records arrive via polling). */
  private idle(ms: number): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.nudged = false;
        this.wake = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** Reads one batch (`>` new, `0` own pending), publishes it and acknowledges it. Returns how many were sent. */
  private async drain(from: '>' | '0'): Promise<number> {
    const response = (await this.reader!.xreadgroup(
      'GROUP',
      GROUP,
      this.consumerName,
      'COUNT',
      BATCH,
      'STREAMS',
      this.keys.outbox(),
      from,
    )) as Array<[string, Array<[string, string[]]>]> | null;
    const entries = response?.[0]?.[1] ?? [];
    if (entries.length === 0) return 0;
    await this.publish(entries);
    return entries.length;
  }

  private async publish(entries: Array<[string, string[]]>): Promise<void> {
    const events: OutgoingEvent[] = [];
    const broken: string[] = [];
    for (const [id, fields] of entries) {
      try {
        events.push(this.toEvent(id, JSON.parse(fields[1]) as OutboxRecord));
      } catch (error) {
        broken.push(id);
        this.logger.error({ msg: 'dropping an outbox record that cannot be published', id, err: (error as Error).message });
      }
    }
    if (events.length) await this.publisher.publishAll(events);
    const ids = entries.map(([id]) => id);
    await this.redis.client.multi().xack(this.keys.outbox(), GROUP, ...ids).xdel(this.keys.outbox(), ...ids).exec();
  }

  private toEvent(streamId: string, record: OutboxRecord): OutgoingEvent {
    const id = uuidFrom(`${this.keys.prefix}${streamId}`);
    switch (record.kind) {
      case 'lifecycle': {
        const entry: TaskTransition = { taskId: record.taskId, ...(JSON.parse(record.entry) as Omit<TaskTransition, 'taskId'>) };
        return {
          definition: taskLifecycleEvent,
          payload: { ...entry, type: record.type, priority: record.priority },
          // Keyed by task (order per task); correlated with the trigger or run the task belongs to.
          options: {
            id,
            key: entry.taskId,
            correlationId: record.correlationId || entry.taskId,
            causationId: null,
            headers: { 'task-type': record.type, 'task-state': entry.to },
          },
        };
      }
      case 'assignment': {
        const definition = ASSIGNMENT_EVENTS[record.pool];
        const payload = {
          taskId: record.taskId,
          attempt: record.attempt,
          type: record.type,
          pool: record.pool,
          workerId: record.workerId,
          leaseToken: record.leaseToken,
          priority: record.priority,
          params: JSON.parse(record.params) as JsonObject,
          deadline: new Date(record.deadlineMs).toISOString(),
          checkpoint: JSON.parse(record.checkpoint) as JsonValue,
        };
        return {
          definition,
          payload,
          // Signed with the mesh secret: a worker runs only what the orchestrator assigned.
          options: {
            id,
            key: record.taskId,
            partition: record.partition,
            correlationId: record.taskId,
            causationId: null,
            headers: { [SIGNATURE_HEADER]: signPayload(definition.type, payload, this.config.MESH_SECRET) },
          },
        };
      }
      case 'control':
        return {
          definition: taskControlEvent,
          payload: { taskId: record.taskId, attempt: record.attempt, workerId: record.workerId, leaseHash: record.leaseHash, action: 'stop', reason: record.reason },
          options: { id, key: record.workerId, correlationId: record.taskId, causationId: null },
        };
    }
  }

  /** Takes over records another instance read but never acknowledged (it died). */
  private async claimAbandoned(): Promise<void> {
    try {
      const [, entries] = (await this.redis.client.xautoclaim(this.keys.outbox(), GROUP, this.consumerName, CLAIM_IDLE_MS, '0-0', 'COUNT', BATCH)) as [
        string,
        Array<[string, string[]]>,
      ];
      const live = entries.filter((entry) => entry && entry[1]);
      if (live.length) await this.publish(live);
    } catch (error) {
      this.logger.warn({ msg: 'could not claim abandoned outbox records', err: (error as Error).message });
    }
  }

  private get consumerName(): string {
    return this.identity.instanceId;
  }
}

/** A UUID (v5 layout) derived from a string, so the same outbox record always gets the same envelope id. */
function uuidFrom(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
