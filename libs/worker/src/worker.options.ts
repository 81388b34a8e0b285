import type { WorkerPool } from '@autocode/contracts';

export interface WorkerOptions {
  pool: WorkerPool;
  /** Tasks this process runs at once. */
  capacity: number;
  heartbeatIntervalMs: number;
  /** On shutdown, how long running tasks may finish before they are stopped. */
  drainTimeoutMs: number;
}

export const WORKER_OPTIONS = Symbol('WorkerOptions');
