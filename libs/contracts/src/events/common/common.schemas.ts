import { z } from 'zod';
import { MAX_TASK_ATTEMPTS } from '../../task/task-attempts';
import { taskPrioritySchema } from '../../task/task-priority';

export const taskIdSchema = z.string().regex(/^tsk_[A-Za-z0-9_-]{6,64}$/, 'must be a task id like "tsk_…"');
export const attemptSchema = z.number().int().min(1).max(MAX_TASK_ATTEMPTS);
export const workerIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be a worker id (letters, digits, . _ : -)');
export const taskTypeNameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a snake_case task type name');
/** A filesystem path or git URL of the target repository. */
export const repositorySchema = z.string().min(1).max(1000);
export const commitShaSchema = z.string().regex(/^[0-9a-f]{7,64}$/, 'must be a git commit sha');
export const relativePathSchema = z
  .string()
  .min(1)
  .max(1000)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path inside the repository');

/** JSON values only: what travels in params, outputs and checkpoints. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
);
export const jsonObjectSchema = z.record(z.string(), jsonValueSchema);
export type JsonObject = z.infer<typeof jsonObjectSchema>;

/** Kafka's default message limit is 1 MiB; a patch must fit with its envelope. */
export const MAX_DIFF_CHARS = 900_000;

export const patchSchema = z.strictObject({
  /** Unified diff, `git apply`-able from the repository root; empty when nothing changed. */
  diff: z.string().max(MAX_DIFF_CHARS),
  filesChanged: z.number().int().min(0),
  insertions: z.number().int().min(0),
  deletions: z.number().int().min(0),
});
export type Patch = z.infer<typeof patchSchema>;

export const opportunityKindSchema = z.string().regex(/^[a-z][a-z0-9-]{1,60}$/, 'must be a kebab-case kind');

/** What the planner found and wants changed. */
export const opportunitySchema = z.strictObject({
  fingerprint: z.string().regex(/^[0-9a-f]{16,64}$/, 'must be a hex fingerprint'),
  kind: opportunityKindSchema,
  title: z.string().min(1).max(300),
  description: z.string().max(5000),
  priority: taskPrioritySchema,
  files: z.array(relativePathSchema).max(500),
  generator: z.string().min(1).max(100),
});
export type Opportunity = z.infer<typeof opportunitySchema>;

export const errorInfoSchema = z.strictObject({
  message: z.string().min(1).max(5000),
  retryable: z.boolean(),
});
export type ErrorInfo = z.infer<typeof errorInfoSchema>;
