import type { z } from 'zod';
import { baseEnvSchema, envFields } from '@autocode/runtime';

export const deployerConfigSchema = baseEnvSchema.extend({
  HTTP_PORT: envFields.port(8084),
});

export type DeployerConfig = z.infer<typeof deployerConfigSchema>;
