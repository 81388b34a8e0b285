import type { WorkerPool } from '@autocode/contracts';
import type { DecoratorPolicy } from './task-decorators';

export interface WorkerOptions {
  pool: WorkerPool;
  /** Signs heartbeats (MESH_SECRET). */
  meshSecret: string;
  /** Tasks this process runs at once. */
  capacity: number;
  heartbeatIntervalMs: number;
  /** On shutdown, how long running tasks may finish before they are stopped. */
  drainTimeoutMs: number;
  /** Timing, logging and metrics around task runs, per task type. */
  decorators: DecoratorPolicy;
}

export const WORKER_OPTIONS = Symbol('WorkerOptions');
