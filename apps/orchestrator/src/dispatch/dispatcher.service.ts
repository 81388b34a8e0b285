import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { WORKER_POOLS, type WorkerPool } from '@autocode/contracts';
import { MetricsWriter } from '@autocode/metrics';
import { ServiceRunner, type Startable } from '@autocode/runtime';
import { TaskSignals } from '../tasks/task-signals';
import { TaskRepository } from '../tasks/task.repository';

const BATCH = 256;
/** Dispatch is driven by events (new task, freed slot, new worker); this sweep only covers a missed nudge. */
const SAFETY_SWEEP_MS = 1000;

/**
 * Hands ready tasks to free worker slots. Each run is one atomic script
 * per pool (see DISPATCH), so any number of orchestrator instances may
 * dispatch at once without handing a task out twice; a task is only sent
 * where a slot is free, so the rest wait in the priority queue.
 */
@Injectable()
export class Dispatcher implements Startable, OnModuleInit {
  readonly name = 'dispatcher';
  private readonly logger = new Logger(Dispatcher.name);
  private readonly pending = new Set<WorkerPool>();
  private running = false;
  private sweep?: NodeJS.Timeout;
  private stopped = true;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly signals: TaskSignals,
    private readonly metrics: MetricsWriter,
    private readonly runner: ServiceRunner,
  ) {
    signals.onReady((pool) => this.kick(pool));
  }

  onModuleInit(): void {
    this.runner.register(this);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.sweep = setInterval(() => WORKER_POOLS.forEach((pool) => this.kick(pool)), SAFETY_SWEEP_MS);
    WORKER_POOLS.forEach((pool) => this.kick(pool));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweep);
  }

  kick(pool: WorkerPool): void {
    if (this.stopped) return;
    this.pending.add(pool);
    if (!this.running) setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.pending.size > 0 && !this.stopped) {
        const [pool] = this.pending;
        this.pending.delete(pool);
        let sent = 0;
        for (;;) {
          const dispatched = await this.tasks.dispatch(pool, BATCH, new Date());
          sent += dispatched;
          if (dispatched < BATCH) break;
        }
        if (sent > 0) {
          this.signals.outboxWritten();
          this.metrics.increment('dispatch', { pool }, sent);
        }
      }
    } catch (error) {
      this.logger.error({ msg: 'dispatch failed', err: (error as Error).message });
    } finally {
      this.running = false;
    }
  }
}
