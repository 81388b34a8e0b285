import { z } from 'zod';
import {
  commitShaSchema,
  opportunityKindSchema,
  opportunitySchema,
  patchSchema,
  relativePathSchema,
  repositorySchema,
} from '../events/common/common.schemas';

/**
 * Params and outputs of the task types the mesh ships with. Workers build
 * outputs through these schemas; the orchestrator reads outputs through
 * them. Other task types describe themselves with JSON Schema only.
 */

export const planParamsSchema = z.strictObject({
  repository: repositorySchema,
  ref: z.string().min(1).max(200),
  lookbackHours: z.number().int().min(1).max(24 * 90),
  paths: z.array(relativePathSchema).max(1000).optional(),
  /** Only these opportunity kinds are looked for (all when absent). */
  kinds: z.array(opportunityKindSchema).min(1).max(50).optional(),
  /** At most this many opportunities are planned, the highest ranked (the planner's default when absent). */
  maxOpportunities: z.number().int().min(1).max(1000).optional(),
});
export type PlanParams = z.infer<typeof planParamsSchema>;

/** How one analysis of a planning run went; `skipped` and `failed` say why in `detail`. */
export const planAnalysisReportSchema = z.strictObject({
  name: z.string().min(1).max(100),
  status: z.enum(['ran', 'skipped', 'failed']),
  durationMs: z.number().min(0),
  findings: z.number().int().min(0),
  detail: z.string().max(2000),
});
export type PlanAnalysisReport = z.infer<typeof planAnalysisReportSchema>;

/**
 * Why a found opportunity was not planned: already planned and still in
 * flight, validated or rejected recently, its kind stopped by the
 * knowledge base, no usable generator, or over the run's limit.
 */
export const SUPPRESSION_REASONS = ['planned', 'validated', 'rejected', 'kind-stopped', 'no-generator', 'over-limit'] as const;

export const suppressedOpportunitySchema = z.strictObject({
  fingerprint: opportunitySchema.shape.fingerprint,
  kind: opportunityKindSchema,
  files: z.array(relativePathSchema).max(20),
  reason: z.enum(SUPPRESSION_REASONS),
});
export type SuppressedOpportunity = z.infer<typeof suppressedOpportunitySchema>;

export const planOutputSchema = z.strictObject({
  commit: commitShaSchema,
  /** Ranked: highest priority first. */
  opportunities: z.array(opportunitySchema).max(1000),
  stats: z.strictObject({
    commitsScanned: z.number().int().min(0),
    filesChanged: z.number().int().min(0),
    durationMs: z.number().min(0),
    /** Source files looked at, and how many of them came from the per-file cache of an earlier run. */
    filesAnalysed: z.number().int().min(0).optional(),
    cacheHits: z.number().int().min(0).optional(),
    /** Opportunities found before de-duplication. */
    found: z.number().int().min(0).optional(),
  }),
  analyses: z.array(planAnalysisReportSchema).max(50).optional(),
  suppressed: z.array(suppressedOpportunitySchema).max(1000).optional(),
});
export type PlanOutput = z.infer<typeof planOutputSchema>;

export const generateParamsSchema = z.strictObject({
  repository: repositorySchema,
  commit: commitShaSchema,
  opportunity: opportunitySchema,
  /** Findings of an earlier failed validation, for the generator to address. */
  feedback: z.array(z.string().max(2000)).max(100).default([]),
  /** 1 for the first try at an opportunity, 2 after one failed validation, … */
  round: z.number().int().min(1).max(100).default(1),
});
export type GenerateParams = z.infer<typeof generateParamsSchema>;

export const generateOutputSchema = z.strictObject({
  generator: z.string().min(1).max(100),
  /** `no-change`: the generator ran and had nothing to change (empty diff). */
  outcome: z.enum(['patch', 'no-change']),
  patch: patchSchema,
});
export type GenerateOutput = z.infer<typeof generateOutputSchema>;

export const validateParamsSchema = z.strictObject({
  repository: repositorySchema,
  commit: commitShaSchema,
  patch: patchSchema,
});
export type ValidateParams = z.infer<typeof validateParamsSchema>;

/** A skipped stage is its own status: it is never counted as passed. */
export const STAGE_STATUSES = ['passed', 'failed', 'skipped'] as const;

export const validationStageReportSchema = z.strictObject({
  name: z.string().min(1).max(100),
  status: z.enum(STAGE_STATUSES),
  required: z.boolean(),
  durationMs: z.number().min(0),
  summary: z.string().max(2000),
  findings: z.array(z.string().max(2000)).max(500),
  /**
   * A skipped stage that could not judge the change for a reason that is
   * not the change's (its dependencies do not install, a check cannot run
   * in this environment): the verdict is `cannot-validate`, not `failed`.
   */
  cannotValidate: z.boolean().optional(),
});
export type ValidationStageReport = z.infer<typeof validationStageReportSchema>;

export const validateOutputSchema = z.strictObject({
  /**
   * `nothing-to-validate`: the patch was empty, so no stage had anything to
   * check. `cannot-validate`: no stage failed, but a required one could not
   * judge the change (environment, time limit): never deployed, and never
   * counted against the generator.
   */
  verdict: z.enum(['passed', 'failed', 'nothing-to-validate', 'cannot-validate']),
  stages: z.array(validationStageReportSchema).max(50),
  durationMs: z.number().min(0),
  /**
   * The findings of the failed stages as one list ("stage: finding"), ready
   * to be handed to the next generation round as its feedback.
   */
  feedback: z.array(z.string().max(2000)).max(100).optional(),
});
export type ValidateOutput = z.infer<typeof validateOutputSchema>;

export const environmentNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'must be a lower-case environment name');

/** How a change reaches an environment; the environment's autocode.yaml says which it uses by default. */
export const DEPLOY_STRATEGIES = ['direct', 'canary', 'blue-green', 'feature-flag'] as const;
export const deployStrategySchema = z.enum(DEPLOY_STRATEGIES);
export type DeployStrategy = z.infer<typeof deployStrategySchema>;

export const deployParamsSchema = z.strictObject({
  repository: repositorySchema,
  commit: commitShaSchema,
  patch: patchSchema,
  environment: environmentNameSchema,
  title: z.string().min(1).max(300),
  /** Overrides the environment's default strategy (its settings must be configured). */
  strategy: deployStrategySchema.optional(),
  /** What the change is for: the landed commit's message says why from it. */
  opportunity: opportunitySchema.optional(),
});
export type DeployParams = z.infer<typeof deployParamsSchema>;

/**
 * What a deploy task did. `nothing-to-deploy`: the patch was empty, so the
 * environment is unchanged. `rolled-back`: the change was deployed, failed
 * its checks and was reverted. `refused`: a policy (soak time) forbade it.
 * `rejected` / `expired`: an approver said no, or nobody answered in time.
 * A deployment that left an environment broken fails the task instead.
 */
export const DEPLOY_OUTCOMES = ['deployed', 'nothing-to-deploy', 'rolled-back', 'refused', 'rejected', 'expired'] as const;

export const deployOutputSchema = z.strictObject({
  environment: environmentNameSchema,
  outcome: z.enum(DEPLOY_OUTCOMES),
  /** The environment's revision after this deployment, when known. */
  revision: z.string().max(100).optional(),
  /**
   * Whether this deployment's commit is on the environment's branch now:
   * true only for `deployed`. `commit` is that commit (a rolled-back
   * change's commit stays in history, reverted: not landed).
   */
  landed: z.boolean().optional(),
  commit: z.string().max(100).optional(),
  summary: z.string().max(2000),
  /** The deployer's record of this deployment (audit trail, approvals): `GET /api/deployments/:id`. */
  deploymentId: z.string().min(1).max(100).optional(),
  strategy: deployStrategySchema.optional(),
  branch: z.string().min(1).max(250).optional(),
  /** The environment's revision before this deployment. */
  previousRevision: z.string().max(100).optional(),
  /** Who approved it, when approval was required. */
  approvedBy: z.string().max(200).optional(),
  /** The flag the change ships behind (feature-flag strategy) and its state when the task ended. */
  featureFlag: z.strictObject({ name: z.string().min(1).max(120), enabled: z.boolean() }).optional(),
});
export type DeployOutput = z.infer<typeof deployOutputSchema>;

/** What every node of the mesh knows about the built-in types, whichever worker announces them. */
export const BUILT_IN_TASK_TYPES = {
  plan: {
    pool: 'planning',
    displayName: 'Plan improvements',
    description: 'Analyses the target repository and lists prioritised improvement opportunities.',
    category: 'generation-cycle',
    params: planParamsSchema,
    output: planOutputSchema,
    defaults: { timeLimitSeconds: 600, retry: { maxRetries: 2, initialDelayMs: 2000, factor: 2, maxDelayMs: 60_000, jitter: true } },
  },
  generate: {
    pool: 'generation',
    displayName: 'Generate a change',
    description: 'Produces a patch for one opportunity in an ephemeral workspace.',
    category: 'generation-cycle',
    params: generateParamsSchema,
    output: generateOutputSchema,
    defaults: { timeLimitSeconds: 900, retry: { maxRetries: 3, initialDelayMs: 2000, factor: 2, maxDelayMs: 120_000, jitter: true } },
  },
  validate: {
    pool: 'validation',
    displayName: 'Validate a change',
    description: 'Runs the validation pipeline over a patch.',
    category: 'generation-cycle',
    params: validateParamsSchema,
    output: validateOutputSchema,
    defaults: { timeLimitSeconds: 1800, retry: { maxRetries: 2, initialDelayMs: 5000, factor: 2, maxDelayMs: 120_000, jitter: true } },
  },
  deploy: {
    pool: 'deployment',
    displayName: 'Deploy a change',
    description: 'Lands a validated change on an environment, with health checks and rollback.',
    category: 'generation-cycle',
    params: deployParamsSchema,
    output: deployOutputSchema,
    defaults: { timeLimitSeconds: 3600, retry: { maxRetries: 1, initialDelayMs: 10_000, factor: 2, maxDelayMs: 300_000, jitter: true } },
  },
} as const;

export type BuiltInTaskTypeName = keyof typeof BUILT_IN_TASK_TYPES;
