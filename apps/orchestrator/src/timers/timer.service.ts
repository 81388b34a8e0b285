import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ServiceRunner, type Startable } from '@autocode/runtime';
import { RedisConnection } from '@autocode/state';
import type { Redis } from 'ioredis';
import { TaskSignals } from '../tasks/task-signals';

/** Something with due times kept in Redis (delayed tasks, deadlines, silent workers, schedules). */
export interface TimedSource {
  readonly name: string;
  /** Epoch ms of the earliest due item, or null when there is none. */
  earliest(): Promise<number | null>;
  fire(now: Date): Promise<void>;
}

/**
 * One timer per process, armed for the earliest due item across every
 * source, so things fire when they are due rather than at the next tick of
 * a polling loop. Changes made here re-arm it at once; other orchestrator
 * instances are nudged over Redis pub/sub. A slow safety re-arm covers a
 * lost nudge.
 */
@Injectable()
export class TimerService implements Startable, OnModuleInit {
  readonly name = 'timers';
  private readonly logger = new Logger(TimerService.name);
  private readonly sources: TimedSource[] = [];
  private timer?: NodeJS.Timeout;
  private armedFor = Number.POSITIVE_INFINITY;
  private running = false;
  private again = false;
  private stopped = true;
  private subscriber?: Redis;
  private readonly channel: string;

  static readonly SAFETY_REARM_MS = 2000;

  constructor(
    private readonly redis: RedisConnection,
    private readonly runner: ServiceRunner,
    signals: TaskSignals,
  ) {
    this.channel = redis.key('timers');
    signals.onTimed((atMs) => this.poke(atMs));
  }

  onModuleInit(): void {
    this.runner.register(this);
  }

  register(source: TimedSource): void {
    this.sources.push(source);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.subscriber = this.redis.duplicate();
    await this.subscriber.subscribe(this.channel);
    this.subscriber.on('message', (_channel, at) => this.poke(Number(at) || 0));
    await this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.subscriber?.quit().catch(() => undefined);
  }

  /** Something is now due at `atMs`: fire or re-arm if that is earlier than what the timer waits for. */
  poke(atMs = 0): void {
    if (this.stopped) return;
    // A run in progress re-reads every source before it re-arms, so it sees the new item.
    if (this.running) {
      this.again = true;
      return;
    }
    if (atMs >= this.armedFor) return;
    if (atMs <= Date.now()) void this.run();
    else this.schedule(atMs);
  }

  /** Tells every orchestrator instance (this one included) to look again. */
  async broadcast(atMs: number): Promise<void> {
    await this.redis.client.publish(this.channel, String(atMs));
  }

  private schedule(atMs: number): void {
    clearTimeout(this.timer);
    this.armedFor = atMs;
    const delay = Math.max(0, Math.min(atMs - Date.now(), TimerService.SAFETY_REARM_MS));
    this.timer = setTimeout(() => void this.run(), delay);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        const now = new Date();
        // Sources are independent: look at them all at once.
        const dues = await Promise.all(
          this.sources.map(async (source) => {
            try {
              let due = await source.earliest();
              if (due !== null && due <= now.getTime()) {
                await source.fire(now);
                due = await source.earliest();
                // Still due after firing (a backlog, or an item that cannot be handled yet): go on, but never spin.
                if (due !== null && due <= Date.now()) due = Date.now() + 10;
              }
              return due ?? Number.POSITIVE_INFINITY;
            } catch (error) {
              this.logger.error({ msg: 'timed source failed', source: source.name, err: (error as Error).message });
              return Date.now() + 500;
            }
          }),
        );
        const next = Math.min(...dues);
        if (!this.stopped) this.schedule(next === Number.POSITIVE_INFINITY ? Date.now() + TimerService.SAFETY_REARM_MS : next);
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
    }
  }
}
