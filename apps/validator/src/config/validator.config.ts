import type { z } from 'zod';
import { baseEnvSchema, envFields } from '@autocode/runtime';
import { workerEnvFields } from '@autocode/worker';

export const validatorConfigSchema = baseEnvSchema.extend({
  ...workerEnvFields,
  HTTP_PORT: envFields.port(8083),
});

export type ValidatorConfig = z.infer<typeof validatorConfigSchema>;
