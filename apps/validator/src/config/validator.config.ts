import { resolve } from 'node:path';
import { z } from 'zod';
import { llmEnvFields } from '@autocode/llm-client';
import { baseEnvSchema, envFields } from '@autocode/runtime';
import { sandboxEnvFields } from '@autocode/sandbox';
import { workerEnvFields } from '@autocode/worker';

export const STAGE_NAMES = ['repository-checks', 'syntax', 'unit-tests', 'static-analysis', 'security', 'performance', 'ai-review'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

const stageList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(STAGE_NAMES)));

export const validatorConfigSchema = baseEnvSchema.extend({
  ...workerEnvFields,
  /** The model of the AI review stage (LLM_BASE_URL and LLM_MODEL; none: the stage is skipped). */
  ...llmEnvFields,
  HTTP_PORT: envFields.port(8083),
  /**
   * Stages whose failure fails a validation. A repository's autocode.yaml
   * may add to them (validation.required), never remove: loosening is the
   * operator's call.
   */
  VALIDATOR_REQUIRED_STAGES: stageList('repository-checks,syntax,unit-tests,static-analysis,security,performance'),
  /** SANDBOX_MODE: how the stages' commands are isolated (one definition, in libs/sandbox). */
  ...sandboxEnvFields,
  /** Memory of one sandboxed process (type check, tests, linter, benchmark). */
  VALIDATOR_MEMORY_MB: z.coerce.number().int().min(128).max(16_384).default(1536),
  /** Default time limits per stage (a repository may set its own in autocode.yaml); repository-checks uses the tests' limit per check. */
  VALIDATOR_SYNTAX_TIMEOUT_MS: envFields.positiveInt(180_000),
  VALIDATOR_TESTS_TIMEOUT_MS: envFields.positiveInt(600_000),
  VALIDATOR_LINT_TIMEOUT_MS: envFields.positiveInt(180_000),
  VALIDATOR_BENCHMARK_TIMEOUT_MS: envFields.positiveInt(600_000),
  VALIDATOR_AI_REVIEW_TIMEOUT_MS: envFields.positiveInt(180_000),
  /**
   * An npm-compatible registry answering the bulk advisory API
   * (`POST <url>/-/npm/v1/security/advisories/bulk`); new dependencies are
   * checked against it. Unset: dependencies are listed, not checked.
   */
  VALIDATOR_ADVISORY_URL: z.url({ protocol: /^https?$/ }).optional(),
  WORKSPACE_DIR: z
    .string()
    .min(1)
    .optional()
    .transform((p) => (p ? resolve(p) : undefined)),
});

export type ValidatorConfig = z.infer<typeof validatorConfigSchema>;
