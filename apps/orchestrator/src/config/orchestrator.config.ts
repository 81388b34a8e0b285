import { resolve } from 'node:path';
import { z } from 'zod';
import { authEnvFields, rateLimitEnvFields } from '@autocode/auth';
import { repositoryPolicyEnvFields } from '@autocode/git';
import { egressEnvFields } from '@autocode/http';
import { baseEnvSchema, envFields, gatewayEnvFields } from '@autocode/runtime';
import { workerEnvFields } from '@autocode/worker';

export const orchestratorConfigSchema = baseEnvSchema.extend({
  ...workerEnvFields,
  // The REST gateway: API keys (every route but /health needs one), rate limits, hosts and CORS.
  ...authEnvFields,
  ...rateLimitEnvFields,
  ...gatewayEnvFields,
  // Where http_request / notify may reach (EGRESS_ALLOW) and which repositories triggers may name.
  ...egressEnvFields,
  ...repositoryPolicyEnvFields,
  /** Audit entries of REST mutations are kept this long. */
  AUDIT_RETENTION_DAYS: envFields.positiveInt(90),
  /** Utility tasks (delays, HTTP calls, webhooks) mostly wait: many fit at once. */
  WORKER_CAPACITY: z.coerce.number().int().min(1).max(1000).default(50),
  HTTP_PORT: envFields.port(8080),
  /** The repository Autocode improves when a trigger does not name one. */
  TARGET_REPOSITORY: z
    .string()
    .min(1)
    .default('.autocode/sample-repo')
    .transform((p) => (/^[a-z]+:\/\//.test(p) ? p : resolve(p))),
  TARGET_REF: z.string().min(1).default('HEAD'),
  PLANNER_LOOKBACK_HOURS: envFields.positiveInt(24),
  /** Environment a validated change is deployed to first. */
  DEPLOY_ENVIRONMENT: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/).default('development'),
  /** Triggers carrying the same dedupeKey within this window are recorded once. */
  TRIGGER_DEDUPE_WINDOW_SECONDS: envFields.positiveInt(300),
  /** The default generation-cycle schedule (created once; 0: none). */
  CYCLE_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(7 * 24 * 60).default(15),
  /** Globs under the target repository whose changes trigger a cycle ('' disables the watcher). */
  WATCH_GLOBS: z.string().default('src/**,specs/**,tests/**,test/**'),
  /** Quiet time after the last file change before the watcher triggers. */
  WATCH_DEBOUNCE_MS: z.coerce.number().int().min(0).max(3600_000).default(30_000),
  /**
   * Aging: each priority rank below CRITICAL is worth this much waiting.
   * A LOW task (rank 3) that has waited 3 steps is dispatched before a
   * CRITICAL task that just arrived, so no priority starves.
   */
  QUEUE_AGING_STEP_SECONDS: z.coerce.number().min(0.001).max(24 * 3600).default(60),
  /** A worker silent for this long (at least three of its heartbeat intervals) is presumed dead. */
  WORKER_SILENCE_TIMEOUT_MS: envFields.positiveInt(5000),
  /**
   * The most slots one heartbeat may claim (a worker's WORKER_CAPACITY is at
   * most 1000): a heartbeat claiming more is dead-lettered, so no one worker
   * can draw a pool's whole queue to itself.
   */
  WORKER_MAX_CAPACITY_CLAIM: z.coerce.number().int().min(1).max(10_000).default(1000),
  WORKFLOW_MAX_NODES: envFields.positiveInt(500),
  WORKFLOW_MAX_DURATION_SECONDS: envFields.positiveInt(7 * 24 * 3600),
  /** Finished runs (and their node runs) are kept this long. */
  WORKFLOW_RUN_RETENTION_DAYS: envFields.positiveInt(14),
  /** Children a `workflow` node may start with forEach. */
  WORKFLOW_MAX_CHILD_RUNS: envFields.positiveInt(200),
});

export type OrchestratorConfig = z.infer<typeof orchestratorConfigSchema>;
