import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { DeployStrategy } from '@autocode/contracts';
import {
  autocodeFileSchema,
  SCHEDULE_PATTERN,
  type healthCheckSchema,
  type NotificationEvent,
  type RawEnvironment,
} from './autocode-config.schema';
import { parseDuration } from './duration';

export const CONFIG_FILE = 'autocode.yaml';

export type HealthCheckConfig = z.infer<typeof healthCheckSchema>;

export interface CanaryConfig {
  steps: number[];
  observeMs: number;
  checkIntervalMs: number;
  gate: {
    measurement: string;
    errorField: string;
    latencyField: string;
    errorRateMax: number;
    latencyP95MsMax?: number;
    minRequests: number;
  };
}

/** One environment, normalized: durations in ms, defaults applied, camelCase. */
export interface EnvironmentConfig {
  name: string;
  branch: string;
  /** Unset: the target repository itself. */
  remote?: string;
  url?: string;
  requiresApproval: boolean;
  approval: { timeoutMs: number; onTimeout: 'reject' | 'approve' };
  soak?: { after: string; durationMs: number };
  hook?: { command: string; timeoutMs: number; env: Record<string, string>; passEnv: string[] };
  healthChecks: HealthCheckConfig[];
  strategy: DeployStrategy;
  canary: CanaryConfig;
  blueGreen?: { slots: { blue: { url: string }; green: { url: string } } };
  featureFlag: { name?: string; enabled: boolean };
  rollback: { enabled: boolean; onFailure: 'auto' | 'manual'; maxAttempts: number };
  notifications?: Array<{ type: 'slack' | 'webhook'; channel?: string; events?: NotificationEvent[] }>;
}

export interface DeploymentConfig {
  /** Where the environments came from: the file, or the documented default. */
  source: 'file' | 'default';
  environments: EnvironmentConfig[];
}

export class DeploymentConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`${CONFIG_FILE}: ${problems.join('; ')}`);
    this.name = 'DeploymentConfigError';
  }
}

const DEFAULT_CANARY: CanaryConfig = {
  steps: [10, 50, 100],
  observeMs: 60_000,
  checkIntervalMs: 5000,
  gate: { measurement: 'http_requests', errorField: 'error', latencyField: 'duration_ms', errorRateMax: 0.05, minRequests: 1 },
};

/**
 * A repository without autocode.yaml (or without its `deployment` section):
 * one environment, development, on the `develop` branch of the target
 * repository itself, deployed automatically with no hook and no checks.
 */
export const DEFAULT_DEPLOYMENT_CONFIG: DeploymentConfig = {
  source: 'default',
  environments: [
    {
      name: 'development',
      branch: 'develop',
      requiresApproval: false,
      approval: { timeoutMs: 30 * 60_000, onTimeout: 'reject' },
      healthChecks: [],
      strategy: 'direct',
      canary: DEFAULT_CANARY,
      featureFlag: { enabled: false },
      rollback: { enabled: true, onFailure: 'auto', maxAttempts: 1 },
    },
  ],
};

/** Parses autocode.yaml; `undefined` text (no file) gives the default. Errors name the field, e.g. `deployment.environments[1] (staging).health_checks[0].timeout`. */
export function parseDeploymentConfig(text: string | undefined): DeploymentConfig {
  if (text === undefined) return DEFAULT_DEPLOYMENT_CONFIG;
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new DeploymentConfigError([`not valid YAML${where}: ${(error as Error).message.split('\n')[0]}`]);
  }
  if (document === null || document === undefined) return DEFAULT_DEPLOYMENT_CONFIG;
  const parsed = autocodeFileSchema.safeParse(document);
  if (!parsed.success) {
    throw new DeploymentConfigError(parsed.error.issues.map((issue) => `${describePath(issue.path, document)}: ${issue.message}`));
  }
  const section = parsed.data.deployment;
  if (!section) return DEFAULT_DEPLOYMENT_CONFIG;
  return { source: 'file', environments: section.environments.map(normalize) };
}

function normalize(env: RawEnvironment): EnvironmentConfig {
  const schedule = env.schedule ? SCHEDULE_PATTERN.exec(env.schedule) : null;
  const soak = env.soak
    ? { after: env.soak.after, durationMs: env.soak.duration }
    : schedule
      ? { after: schedule[2], durationMs: parseDuration(schedule[1]) ?? 0 }
      : undefined;
  const canary = env.canary;
  return {
    name: env.name,
    branch: env.branch,
    ...(env.remote ? { remote: env.remote } : {}),
    ...(env.url ? { url: env.url } : {}),
    // "auto_deploy: false" means someone has to say go: that is an approval.
    requiresApproval: env.requires_approval ?? !env.auto_deploy,
    approval: { timeoutMs: env.approval.timeout, onTimeout: env.approval.on_timeout },
    ...(soak ? { soak } : {}),
    ...(env.deploy_hook ? { hook: { command: env.deploy_hook.command, timeoutMs: env.deploy_hook.timeout, env: env.deploy_hook.env, passEnv: env.deploy_hook.pass_env } } : {}),
    healthChecks: env.health_checks,
    strategy: env.strategy,
    canary: canary
      ? {
          steps: canary.steps,
          observeMs: canary.observe,
          checkIntervalMs: canary.check_interval,
          gate: {
            measurement: canary.gate.measurement,
            errorField: canary.gate.error_field,
            latencyField: canary.gate.latency_field,
            errorRateMax: canary.gate.error_rate_max,
            ...(canary.gate.latency_p95_ms_max === undefined ? {} : { latencyP95MsMax: canary.gate.latency_p95_ms_max }),
            minRequests: canary.gate.min_requests,
          },
        }
      : DEFAULT_CANARY,
    ...(env.blue_green ? { blueGreen: env.blue_green } : {}),
    featureFlag: { ...(env.feature_flag?.name ? { name: env.feature_flag.name } : {}), enabled: env.feature_flag?.enabled ?? false },
    rollback: { enabled: env.rollback.enabled, onFailure: env.rollback.on_failure, maxAttempts: env.rollback.max_attempts },
    ...(env.notifications ? { notifications: env.notifications } : {}),
  };
}

/** `deployment.environments[1] (staging).health_checks[0].timeout`: list indexes in brackets, an environment's name beside its index. */
function describePath(path: PropertyKey[], document: unknown): string {
  let node: unknown = document;
  let out = '';
  for (const part of path) {
    const child = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[part as never] : undefined;
    if (typeof part === 'number') {
      out += `[${part}]`;
      const name = child && typeof child === 'object' ? (child as { name?: unknown }).name : undefined;
      if (typeof name === 'string' && out.endsWith(`environments[${part}]`)) out += ` (${name})`;
    } else {
      out += `${out ? '.' : ''}${String(part)}`;
    }
    node = child;
  }
  return out || '(file)';
}

export function findEnvironment(config: DeploymentConfig, name: string): EnvironmentConfig {
  const env = config.environments.find((e) => e.name === name);
  if (!env) {
    const known = config.environments.map((e) => e.name).join(', ');
    const from = config.source === 'default' ? `the default configuration (no ${CONFIG_FILE} with a deployment section)` : CONFIG_FILE;
    throw new DeploymentConfigError([`environment "${name}" is not defined in ${from}; defined: ${known}`]);
  }
  return env;
}
