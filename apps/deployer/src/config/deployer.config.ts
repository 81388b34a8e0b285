import type { z } from 'zod';
import { baseEnvSchema, envFields } from '@autocode/runtime';
import { workerEnvFields } from '@autocode/worker';

export const deployerConfigSchema = baseEnvSchema.extend({
  ...workerEnvFields,
  HTTP_PORT: envFields.port(8084),
});

export type DeployerConfig = z.infer<typeof deployerConfigSchema>;
