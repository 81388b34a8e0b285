import type { z } from 'zod';
import { baseEnvSchema, envFields } from '@autocode/runtime';
import { workerEnvFields } from '@autocode/worker';

export const generationNodeConfigSchema = baseEnvSchema.extend({
  ...workerEnvFields,
  HTTP_PORT: envFields.port(8082),
});

export type GenerationNodeConfig = z.infer<typeof generationNodeConfigSchema>;
