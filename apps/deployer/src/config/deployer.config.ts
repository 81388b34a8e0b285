import { resolve } from 'node:path';
import { z } from 'zod';
import { authEnvFields } from '@autocode/auth';
import { egressEnvFields } from '@autocode/http';
import { baseEnvSchema, envFields } from '@autocode/runtime';
import { workerEnvFields } from '@autocode/worker';
import { resolveHookUser } from '../release/hook-user';

const envVarName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const deployerConfigSchema = baseEnvSchema.extend({
  ...workerEnvFields,
  ...authEnvFields,
  // Where webhooks and health checks may reach: a service on this host must be named (EGRESS_ALLOW=127.0.0.1:3000).
  ...egressEnvFields,
  HTTP_PORT: envFields.port(8084),
  /**
   * Deployments at once. Generous: a deployment waiting for an approval (or
   * for another one to leave its environment) holds a slot but costs only a
   * Redis read per poll, and deployments to one environment run one at a
   * time anyway (a Redis lock per environment).
   */
  WORKER_CAPACITY: z.coerce.number().int().min(1).max(1000).default(20),
  /** Per (repository, environment): a clone to commit from and the release checkouts hooks run in. */
  DEPLOY_WORKSPACE_DIR: z
    .string()
    .min(1)
    .default('.autocode/deployer')
    .transform((p) => resolve(p)),
  /** How this deployer is reached by deployed services (feature-flag URL handed to hooks). Default: http://HTTP_HOST:HTTP_PORT. */
  DEPLOY_PUBLIC_URL: z.url().optional(),
  /** How often a deployment awaiting approval looks for a decision. */
  DEPLOY_APPROVAL_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Lease of an environment lock; renewed while held, so a dead deployer frees it within this time. */
  DEPLOY_LOCK_TTL_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** Release checkouts kept per environment besides the live ones (for instant rollbacks). */
  DEPLOY_KEEP_RELEASES: z.coerce.number().int().min(1).max(100).default(5),
  /** Deployment records (and their audit trails) are kept this long. */
  DEPLOY_RECORD_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Slack-compatible incoming webhooks (comma-separated); they hold secrets, so they are never logged. */
  DEPLOY_WEBHOOK_URLS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ }))),
  /**
   * Variables of the deployer's own environment a hook may receive
   * (credentials a hook needs); a hook gets only those its environment
   * names in `deploy_hook.pass_env`. The deployer's own settings are refused.
   */
  DEPLOY_HOOK_ENV_PASSTHROUGH: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(
      z.array(
        z
          .string()
          .regex(envVarName, 'each entry must be a variable name')
          .refine((name) => !isDeployerSetting(name), { error: (issue) => `${String(issue.input)} is one of the deployer's own settings: hooks never get it` }),
      ),
    ),
  /**
   * Run deploy hooks as this user (a name or uid; spawned with its uid and
   * gid, so the hook cannot read the deployer's files or /proc/<pid>/environ).
   * Checked at start-up: it must exist, and the deployer must be root to switch.
   */
  DEPLOY_HOOK_USER: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, 'must be a user name or uid')
    .optional()
    .transform((name, ctx) => {
      if (name === undefined) return undefined;
      try {
        return resolveHookUser(name);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  DEPLOY_GIT_AUTHOR_NAME: z.string().min(1).max(100).default('Autocode Deployer'),
  DEPLOY_GIT_AUTHOR_EMAIL: z.string().min(3).max(200).default('deployer@autocode.invalid'),
});

export type DeployerConfig = z.infer<typeof deployerConfigSchema>;

/** Connection settings and secrets of the deployer itself (every variable its schema reads, and the mesh's). */
function isDeployerSetting(name: string): boolean {
  return name in deployerConfigSchema.shape || /^(REDIS|KAFKA|INFLUX|MESH)_/.test(name) || name === 'API_KEYS' || name === 'API_KEYS_FILE';
}
