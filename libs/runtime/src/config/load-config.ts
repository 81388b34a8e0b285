import { z } from 'zod';

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
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(environment)';
    const raw = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    // Never echo values of variables that may hold secrets.
    const shown = raw === undefined || /KEY|SECRET|PASSWORD|TOKEN/i.test(variable) ? '' : ` (got "${raw}")`;
    return `${variable}: ${issue.message}${shown}`;
  });
  throw new ConfigError(service, problems);
}
