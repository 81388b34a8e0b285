import type { z } from 'zod';
import { baseEnvSchema, envFields } from '@autocode/runtime';

export const generationNodeConfigSchema = baseEnvSchema.extend({
  HTTP_PORT: envFields.port(8082),
});

export type GenerationNodeConfig = z.infer<typeof generationNodeConfigSchema>;
