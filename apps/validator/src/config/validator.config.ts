import type { z } from 'zod';
import { baseEnvSchema, envFields } from '@autocode/runtime';

export const validatorConfigSchema = baseEnvSchema.extend({
  HTTP_PORT: envFields.port(8083),
});

export type ValidatorConfig = z.infer<typeof validatorConfigSchema>;
