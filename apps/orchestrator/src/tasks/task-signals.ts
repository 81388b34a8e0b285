import { Injectable } from '@nestjs/common';
import type { WorkerPool } from '@autocode/contracts';

type Listener<T> = (value: T) => void;

/**
 * In-process nudges between the task core's parts, so that a change made
 * here is acted on at once instead of at the next safety sweep: a task
 * became ready (dispatch), something timed was added (re-arm timers), the
 * outbox has records (relay). Redis stays the source of truth; a lost nudge
 * only costs latency.
 */
@Injectable()
export class TaskSignals {
  private readonly ready: Array<Listener<WorkerPool>> = [];
  private readonly timed: Array<Listener<number>> = [];
  private readonly outbox: Array<Listener<void>> = [];

  onReady(listener: Listener<WorkerPool>): void {
    this.ready.push(listener);
  }
  onTimed(listener: Listener<number>): void {
    this.timed.push(listener);
  }
  onOutbox(listener: Listener<void>): void {
    this.outbox.push(listener);
  }

  /** Tasks of `pool` may be dispatchable (new ready task, freed slot, new worker). */
  readyIn(pool: WorkerPool): void {
    for (const l of this.ready) l(pool);
  }
  /** Something is due at `atMs` (a delayed task, a retry, a deadline, a schedule). */
  dueAt(atMs: number): void {
    for (const l of this.timed) l(atMs);
  }
  outboxWritten(): void {
    for (const l of this.outbox) l();
  }
}
