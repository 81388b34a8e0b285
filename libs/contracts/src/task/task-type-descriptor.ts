import { z } from 'zod';
import { jsonObjectSchema, taskTypeNameSchema } from '../events/common/common.schemas';
import { retryPolicySchema } from './retry-policy';
import { workerPoolSchema } from './worker-pool';

/** What a worker announces about each task type it runs. */
export const taskTypeDescriptorSchema = z.strictObject({
  name: taskTypeNameSchema,
  displayName: z.string().min(1).max(100),
  description: z.string().max(1000),
  category: z.string().min(1).max(50),
  pool: workerPoolSchema,
  /** JSON Schema (draft 2020-12) of the params; checked before a task is accepted. */
  paramsSchema: jsonObjectSchema,
  /** JSON Schema of the output, for documentation and for consumers of results. */
  outputSchema: jsonObjectSchema.optional(),
  defaults: z.strictObject({
    timeLimitSeconds: z.number().int().min(1).max(7 * 24 * 3600),
    retry: retryPolicySchema,
  }),
});
export type TaskTypeDescriptor = z.infer<typeof taskTypeDescriptorSchema>;
