import { resolve } from 'node:path';
import { z } from 'zod';
import { baseEnvSchema, envFields } from '@autocode/runtime';

export const orchestratorConfigSchema = baseEnvSchema.extend({
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
  TASK_MAX_ATTEMPTS: envFields.positiveInt(3),
  TASK_TIME_LIMIT_SECONDS: envFields.positiveInt(900),
});

export type OrchestratorConfig = z.infer<typeof orchestratorConfigSchema>;
