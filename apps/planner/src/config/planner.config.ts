import type { z } from 'zod';
import { baseEnvSchema, envFields } from '@autocode/runtime';
import { workerEnvFields } from '@autocode/worker';

export const plannerConfigSchema = baseEnvSchema.extend({
  ...workerEnvFields,
  HTTP_PORT: envFields.port(8081),
  /** Largest number of files one planned task may touch. */
  PLANNER_MAX_FILES_PER_TASK: envFields.positiveInt(200),
});

export type PlannerConfig = z.infer<typeof plannerConfigSchema>;
