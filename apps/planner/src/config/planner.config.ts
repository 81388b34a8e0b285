import { z } from 'zod';
import { isOpportunityKind, OPPORTUNITY_KIND_NAMES } from '@autocode/contracts';
import { baseEnvSchema, envFields } from '@autocode/runtime';
import { sandboxEnvFields } from '@autocode/sandbox';
import { workerEnvFields } from '@autocode/worker';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean));

const ratio = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
const hours = (fallback: number) => z.coerce.number().min(0).max(24 * 365).default(fallback);

export const plannerConfigSchema = baseEnvSchema.extend({
  ...workerEnvFields,
  HTTP_PORT: envFields.port(8081),
  /** Largest number of files one planned task may touch. */
  PLANNER_MAX_FILES_PER_TASK: envFields.positiveInt(200),
  /** Opportunities one planning run plans at most (the highest ranked); a plan's `maxOpportunities` may ask for fewer or more. */
  PLANNER_MAX_OPPORTUNITIES: z.coerce.number().int().min(1).max(1000).default(100),
  /** A repository with more source files than this is refused (non-retryable) rather than analysed for ever. */
  PLANNER_MAX_SOURCE_FILES: envFields.positiveInt(50_000),

  /** Cyclomatic complexity at which a function is a hot spot. */
  PLANNER_COMPLEXITY_THRESHOLD: z.coerce.number().int().min(2).max(1000).default(10),
  /** Line coverage (percent) under which a module is poorly covered … */
  PLANNER_COVERAGE_THRESHOLD: z.coerce.number().min(0).max(100).default(80),
  /** … when it has at least this many lines. */
  PLANNER_COVERAGE_MIN_LINES: z.coerce.number().int().min(0).default(10),
  /** Coverage reports in the repository (globs): lcov tracefiles and istanbul `coverage-summary.json`. */
  PLANNER_COVERAGE_REPORTS: list('**/lcov.info,**/coverage-summary.json'),
  /** Test reports in the repository (globs): JUnit XML, jest/vitest JSON. */
  PLANNER_TEST_REPORTS: list('**/junit*.xml,**/TEST-*.xml,**/test-results*.xml,**/test-report*.xml,**/jest-results*.json,**/test-results*.json'),
  /** A directory outside the repository where CI leaves reports (same globs); read in addition. */
  PLANNER_REPORTS_DIR: z.string().optional(),
  /**
   * OSV advisory files (a list of advisories, `{ "vulns": [...] }`, or one).
   * Absolute paths are read from disk (e.g. a mirror of the OSV or GitHub
   * advisory database); relative ones from the repository at the planned commit.
   */
  PLANNER_ADVISORY_FILES: list('security/advisories.json'),

  /** SANDBOX_MODE: how the target's ESLint/Prettier configuration (repository code) is isolated (one definition, in libs/sandbox). */
  ...sandboxEnvFields,
  /** Time limit, memory and count of the sandboxed runs of ESLint and Prettier (the target's config is code). */
  PLANNER_TOOL_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  PLANNER_TOOL_MEMORY_MB: z.coerce.number().int().min(64).max(16_384).default(1024),
  PLANNER_TOOL_PROCESSES: z.coerce.number().int().min(1).max(16).default(2),
  /** Per-file analysis results are cached by content in Redis this long. */
  PLANNER_CACHE_TTL_HOURS: hours(7 * 24),

  /**
   * The target application's request metrics in InfluxDB: a measurement
   * with tag `operation` (and optionally `file`, a path in the repository)
   * and fields `duration_ms` and `error` (0 or 1).
   */
  PLANNER_APP_METRICS_MEASUREMENT: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be a measurement name').default('app_requests'),
  /** Its database (the mesh's own when unset). */
  PLANNER_APP_METRICS_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  PLANNER_METRICS_WINDOW_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
  PLANNER_METRICS_BASELINE_HOURS: z.coerce.number().int().min(1).max(90 * 24).default(24),
  PLANNER_ERROR_RATE_THRESHOLD: ratio(0.05),
  PLANNER_LATENCY_FACTOR: z.coerce.number().min(1).max(1000).default(1.5),
  PLANNER_METRICS_MIN_REQUESTS: z.coerce.number().int().min(1).default(20),

  /** The only opportunity kinds this planner looks for (all when empty); a plan's `kinds` narrows them further. */
  PLANNER_KINDS: list('').refine((kinds) => kinds.every(isOpportunityKind), {
    message: `must be a comma-separated list of opportunity kinds (${OPPORTUNITY_KIND_NAMES.join(', ')})`,
  }),
  /** Generators never planned for (e.g. `llm` when no model is configured on the generation nodes). */
  PLANNER_DISABLED_GENERATORS: list(''),
  /** How long a planned opportunity counts as in flight, a validated one as done, a rejected one as rejected recently. */
  PLANNER_INFLIGHT_HOURS: hours(24),
  PLANNER_VALIDATED_HOURS: hours(7 * 24),
  PLANNER_REJECTED_HOURS: hours(3 * 24),
  /** A kind stops being planned after this many rejections in a row of its best generator … */
  KNOWLEDGE_STOP_AFTER_REJECTIONS: z.coerce.number().int().min(1).max(1000).default(5),
  /** … until this long after the last one. */
  KNOWLEDGE_STOP_COOLDOWN_HOURS: hours(24),
});

export type PlannerConfig = z.infer<typeof plannerConfigSchema>;
