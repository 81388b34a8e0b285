import { z } from 'zod';
import { MIN_MESH_SECRET_LENGTH, type WorkerPool } from '@autocode/contracts';
import { parseDecoratorPolicy } from './task-decorators';
import type { WorkerOptions } from './worker.options';

/**
 * The key every member of the mesh signs its heartbeats with (and the
 * orchestrator checks them with): without it nobody can announce workers,
 * slots or task types. Required, no default: a service without it refuses
 * to start. Generate one with
 * `node -p "require('node:crypto').randomBytes(32).toString('base64url')"`.
 */
export const meshSecretEnvField = z
  .string({ error: 'is required: the shared secret heartbeats are signed with' })
  .min(MIN_MESH_SECRET_LENGTH, `must be at least ${MIN_MESH_SECRET_LENGTH} characters`);

/** Environment fields of every worker service. */
export const workerEnvFields = {
  MESH_SECRET: meshSecretEnvField,
  /** Tasks this process runs at once (its slots). */
  WORKER_CAPACITY: z.coerce.number().int().min(1).max(1000).default(2),
  WORKER_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** On shutdown, how long running tasks may finish before they are stopped. */
  WORKER_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Decorators around every task run: any of timing, logging, metrics (comma-separated). */
  WORKER_DECORATORS: z.string().default('timing,logging,metrics').superRefine((value, ctx) => check(() => parseDecoratorPolicy(value, ''), ctx)),
  /** Per task type: `noop=;sleep=timing` (an empty list turns decorators off for that type). */
  WORKER_DECORATORS_BY_TYPE: z.string().default('').superRefine((value, ctx) => check(() => parseDecoratorPolicy('', value), ctx)),
};

function check(parse: () => unknown, ctx: z.RefinementCtx): void {
  try {
    parse();
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
}

export function workerOptionsFrom(
  pool: WorkerPool,
  env: { MESH_SECRET: string; WORKER_CAPACITY: number; WORKER_HEARTBEAT_INTERVAL_MS: number; WORKER_DRAIN_TIMEOUT_MS: number; WORKER_DECORATORS: string; WORKER_DECORATORS_BY_TYPE: string },
): WorkerOptions {
  return {
    pool,
    meshSecret: env.MESH_SECRET,
    capacity: env.WORKER_CAPACITY,
    heartbeatIntervalMs: env.WORKER_HEARTBEAT_INTERVAL_MS,
    drainTimeoutMs: env.WORKER_DRAIN_TIMEOUT_MS,
    decorators: parseDecoratorPolicy(env.WORKER_DECORATORS, env.WORKER_DECORATORS_BY_TYPE),
  };
}
