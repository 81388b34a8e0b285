import { z } from 'zod';
import { DEPLOY_STRATEGIES, environmentNameSchema } from '@autocode/contracts';
import { durationField } from './duration';

/**
 * The `deployment` section of a target repository's autocode.yaml, modeled
 * on seed 000's CI/CD block (snake_case keys as there). Other top-level
 * sections belong to other services and are ignored here; within this
 * section unknown keys are errors, so a typo never silently disables a
 * safety setting.
 */

const influxIdentifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'must be an InfluxDB name (letters, digits, _ . -)');
const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
export const flagNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/, 'must be letters, digits, ".", "_" or "-"');
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

/** `develop`, `main`, or a pattern with one `*` such as `release/*`. */
const branchSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._/*-]+$/, 'must be a branch name or a pattern like release/*')
  .refine((b) => (b.match(/\*/g) ?? []).length <= 1, 'may contain at most one *')
  .refine((b) => !b.startsWith('/') && !b.endsWith('/') && !b.includes('..') && !b.includes('//'), 'is not a valid branch name');

export const healthCheckSchema = z.strictObject({
  /** A path (joined to the environment's or slot's url) or an absolute http(s) URL. */
  endpoint: z.string().min(1).max(2000),
  /** Limit of one request. */
  timeout: durationField(100, 600_000).default(5000),
  /** Pause between attempts. */
  interval: durationField(0, 3_600_000).default(2000),
  /** Further attempts after a failed one: up to 1 + retries requests. */
  retries: z.number().int().min(0).max(100).default(3),
  /** Default: any 2xx. */
  expect_status: z.number().int().min(100).max(599).optional(),
  /** A substring the body must contain; `{revision}` stands for the revision being checked. */
  expect_body: z.string().min(1).max(1000).optional(),
});

const hookObjectSchema = z.strictObject({
  /**
   * Run with /bin/sh in a checkout of the revision being deployed, its own
   * files (every path-like word of the command) as of the base revision;
   * AUTOCODE_* variables describe the step.
   */
  command: z.string().min(1).max(4000),
  timeout: durationField(1000, 6 * 3_600_000).default(300_000),
  /** Extra (non-secret) variables, literally. */
  env: z.record(envVarName, z.string().max(4000)).default({}),
  /** Variables of the deployer's environment this hook gets (secrets); each must be in the operator's DEPLOY_HOOK_ENV_PASSTHROUGH. */
  pass_env: z.array(envVarName).max(50).default([]),
});
const hookSchema = z.union([z.string().min(1).max(4000).transform((command) => hookObjectSchema.parse({ command })), hookObjectSchema]);

const canarySchema = z.strictObject({
  /** Traffic weights (percent) handed to the hook one after the other; the last must be 100. */
  steps: z
    .array(z.number().int().min(1).max(100))
    .min(1)
    .max(20)
    .default([10, 50, 100])
    .refine((s) => s.every((w, i) => i === 0 || w > s[i - 1]), 'must increase step by step')
    .refine((s) => s[s.length - 1] === 100, 'must end at 100'),
  /** How long each step is watched before the next. */
  observe: durationField(0, 24 * 3_600_000).default(60_000),
  /** How often the gate is read while a step is watched (a tripped gate aborts at once). */
  check_interval: durationField(100, 3_600_000).default(5000),
  gate: z
    .strictObject({
      /** Points written by the deployed service, tagged `environment` and `revision`. */
      measurement: influxIdentifier.default('http_requests'),
      /** Numeric field: 1 for a failed request, 0 otherwise. */
      error_field: influxIdentifier.default('error'),
      /** Numeric field: request latency in milliseconds. */
      latency_field: influxIdentifier.default('duration_ms'),
      error_rate_max: z.number().min(0).max(1).default(0.05),
      latency_p95_ms_max: z.number().positive().optional(),
      /** Fewer requests than this in a step means the canary was not exercised: the gate fails. */
      min_requests: z.number().int().min(0).default(1),
    })
    .prefault({}),
});

const slotSchema = z.strictObject({ url: httpUrl });
const blueGreenSchema = z.strictObject({ slots: z.strictObject({ blue: slotSchema, green: slotSchema }) });

const featureFlagSchema = z.strictObject({
  /** Default: `deploy-<deployment id>`. */
  name: flagNameSchema.optional(),
  /** The flag's state right after the deployment. */
  enabled: z.boolean().default(false),
});

const rollbackSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** `auto`: roll back as soon as a check fails; `manual`: leave it to an operator (POST /api/deployments/:id/rollback). */
  on_failure: z.enum(['auto', 'manual']).default('auto'),
  /** Rollback attempts (revert, hook, health checks) before the deployment is declared broken. */
  max_attempts: z.number().int().min(1).max(10).default(1),
});

const approvalSchema = z.strictObject({
  /** Keep it below the deploy task's time limit (default 1 h); a retried task keeps the original deadline. */
  timeout: durationField(1000, 30 * 86_400_000).default(30 * 60_000),
  on_timeout: z.enum(['reject', 'approve']).default('reject'),
});

export const NOTIFICATION_EVENTS = [
  'approval-requested',
  'approved',
  'rejected',
  'expired',
  'refused',
  'deployed',
  'rolled-back',
  'failed',
  'flag-toggled',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

const notificationSchema = z.strictObject({
  type: z.enum(['slack', 'webhook']).default('slack'),
  channel: z.string().min(1).max(100).optional(),
  /** Default: every event. */
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1).optional(),
});

const SCHEDULE = /^after\s+(\S+)\s+(?:of|in)\s+([a-z][a-z0-9-]{0,40})$/;

export const environmentSchema = z
  .strictObject({
    name: environmentNameSchema,
    branch: branchSchema,
    /** A remote name of the target repository, a URL or a path (relative to the repository). Default: the target repository itself. */
    remote: z.string().min(1).max(2000).optional(),
    /** Where the environment answers; relative health-check endpoints are joined to it. */
    url: httpUrl.optional(),
    auto_deploy: z.boolean().default(true),
    requires_approval: z.boolean().optional(),
    approval: approvalSchema.prefault({}),
    /** Seed 000's form: `after 1h of staging`. */
    schedule: z.string().regex(SCHEDULE, 'must read "after <duration> of <environment>", e.g. "after 1h of staging"').optional(),
    /** The same change must have been live in `after` for `duration` first. */
    soak: z.strictObject({ after: environmentNameSchema, duration: durationField(0, 365 * 86_400_000) }).optional(),
    deploy_hook: hookSchema.optional(),
    health_checks: z.array(healthCheckSchema).max(20).default([]),
    strategy: z.enum(DEPLOY_STRATEGIES).default('direct'),
    canary: canarySchema.optional(),
    blue_green: blueGreenSchema.optional(),
    feature_flag: featureFlagSchema.optional(),
    rollback: rollbackSchema.prefault({}),
    notifications: z.array(notificationSchema).max(20).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.schedule && env.soak) ctx.addIssue({ code: 'custom', path: ['schedule'], message: 'give either schedule or soak, not both' });
    if (env.strategy === 'blue-green' && !env.blue_green) {
      ctx.addIssue({ code: 'custom', path: ['blue_green'], message: 'strategy blue-green needs blue_green.slots (blue and green urls)' });
    }
    const relative = env.health_checks.findIndex((c) => !/^https?:\/\//.test(c.endpoint));
    if (relative >= 0 && !env.url && !env.blue_green) {
      ctx.addIssue({ code: 'custom', path: ['health_checks', relative, 'endpoint'], message: 'a relative endpoint needs `url` on the environment (or an absolute http(s) URL)' });
    }
    for (const [i, check] of env.health_checks.entries()) {
      if (/^https?:\/\//.test(check.endpoint) && !URL.canParse(check.endpoint)) {
        ctx.addIssue({ code: 'custom', path: ['health_checks', i, 'endpoint'], message: 'is not a valid URL' });
      }
    }
  });

export const deploymentSectionSchema = z
  .strictObject({ environments: z.array(environmentSchema).min(1).max(20) })
  .superRefine((section, ctx) => {
    const names = section.environments.map((e) => e.name);
    section.environments.forEach((env, i) => {
      if (names.indexOf(env.name) !== i) ctx.addIssue({ code: 'custom', path: ['environments', i, 'name'], message: `"${env.name}" is defined twice` });
      const after = env.soak?.after ?? (env.schedule ? SCHEDULE.exec(env.schedule)?.[2] : undefined);
      if (after && !names.includes(after)) {
        ctx.addIssue({ code: 'custom', path: ['environments', i, env.soak ? 'soak' : 'schedule'], message: `refers to environment "${after}", which is not defined` });
      }
      if (after === env.name) ctx.addIssue({ code: 'custom', path: ['environments', i, 'schedule'], message: 'an environment cannot soak after itself' });
    });
  });

/** The whole file, as far as the deployer is concerned. */
export const autocodeFileSchema = z.looseObject({ deployment: deploymentSectionSchema.optional() });

export type RawEnvironment = z.infer<typeof environmentSchema>;
export const SCHEDULE_PATTERN = SCHEDULE;
