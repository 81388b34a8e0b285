import { z } from 'zod';
import { llmEnvFields } from '@autocode/llm-client';
import { baseEnvSchema, envFields } from '@autocode/runtime';
import { sandboxEnvFields } from '@autocode/sandbox';
import { workerEnvFields } from '@autocode/worker';

export const generationNodeConfigSchema = baseEnvSchema.extend({
  ...workerEnvFields,
  /** The `llm` generator's model (see libs/llm-client): offered only when LLM_BASE_URL and LLM_MODEL are set. */
  ...llmEnvFields,
  HTTP_PORT: envFields.port(8082),
  /** SANDBOX_MODE: how generators are isolated (one definition, in libs/sandbox). */
  ...sandboxEnvFields,
  /** Where ephemeral workspaces are created (a directory under the system temp dir by default). */
  WORKSPACE_DIR: z.string().min(1).optional(),
  /** Wall-clock limit of one generator run in the sandbox (the task's own deadline still applies). */
  GENERATOR_TIME_LIMIT_MS: envFields.positiveInt(300_000),
  /** Memory limit of each process a generator starts. */
  GENERATOR_MEMORY_MB: envFields.positiveInt(1536),
  /** How often a long generator's progress is saved as a checkpoint (0: after every file). */
  GENERATION_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** The generator runner program; next to main.js by default. */
  GENERATOR_RUNNER_PATH: z.string().min(1).optional(),
});

export type GenerationNodeConfig = z.infer<typeof generationNodeConfigSchema>;
