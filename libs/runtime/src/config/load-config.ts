import { z } from 'zod';
import { engineSecurityProblems, redactUrlCredentials } from './engine-security';
import type { BaseEnv } from './env-fields';

export * from './engine-security';

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration for ${service}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment through the service's schema before anything
 * starts, so a typo fails fast with the variable's name instead of
 * surfacing later as a confusing runtime error.
 */
export function loadConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) {
    // Every service's schema extends the shared fields; a bare schema (tests, tools) has none of them.
    const problems = isBaseEnv(result.data) ? engineSecurityProblems(result.data) : [];
    if (problems.length) throw new ConfigError(service, problems);
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    // The variable is the first path element; deeper elements point inside a parsed list.
    const variable = issue.path.length ? String(issue.path[0]) : '(environment)';
    const raw = issue.path.length ? env[variable] : undefined;
    // Never echo values of variables that may hold secrets.
    // URLs may carry credentials (redis://user:password@host).
    const shown = raw === undefined || /KEY|SECRET|PASSWORD|TOKEN/i.test(variable) ? '' : ` (got "${redactUrlCredentials(raw)}")`;
    return `${variable}: ${issue.message}${shown}`;
  });
  throw new ConfigError(service, problems);
}

function isBaseEnv(data: unknown): data is BaseEnv {
  return typeof data === 'object' && data !== null && 'KAFKA_BROKERS' in data && 'REDIS_URL' in data;
}
