/**
 * What a deploy hook's process sees. Built from nothing: a few basics, the
 * variables its environment's configuration names (`deploy_hook.pass_env`)
 * among those the operator lets hooks have (DEPLOY_HOOK_ENV_PASSTHROUGH),
 * the configuration's literal `env`, then the AUTOCODE_* facts of the step.
 * The deployer's own settings (Redis, Kafka, InfluxDB, API keys, the mesh
 * secret) are never among them.
 */
export interface HookEnvInput {
  /** PATH, HOME, LANG of the hook. */
  basics: { PATH: string; HOME: string; LANG: string };
  /** Names the environment's configuration asks for (`deploy_hook.pass_env`). */
  passEnv: readonly string[];
  /** Names the operator lets hooks receive (DEPLOY_HOOK_ENV_PASSTHROUGH). */
  allowed: readonly string[];
  /** The deployer's environment, where passed variables are read from. */
  host: Readonly<Record<string, string | undefined>>;
  /** The configuration's literal (non-secret) variables. */
  literal: Readonly<Record<string, string>>;
  /** AUTOCODE_* and strategy variables: last, so a configuration cannot fake them. */
  facts: Readonly<Record<string, string>>;
}

export class HookEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookEnvError';
  }
}

/** Why a configuration's pass_env cannot be honoured, or undefined: checked before anything lands. */
export function passEnvProblem(passEnv: readonly string[], allowed: readonly string[]): string | undefined {
  const refused = passEnv.filter((name) => !allowed.includes(name));
  if (!refused.length) return undefined;
  return `deploy_hook.pass_env names ${refused.join(', ')}, which the deployer does not pass to hooks (the operator lists what hooks may get in DEPLOY_HOOK_ENV_PASSTHROUGH)`;
}

export function hookEnvironment(input: HookEnvInput): Record<string, string> {
  const problem = passEnvProblem(input.passEnv, input.allowed);
  if (problem) throw new HookEnvError(problem);
  const passed: Record<string, string> = {};
  // An allowed name that is not set is simply absent, like any unset variable.
  for (const name of input.passEnv) if (input.host[name] !== undefined) passed[name] = input.host[name]!;
  return { ...input.basics, ...input.literal, ...passed, ...input.facts };
}

/** The values a hook of this configuration receives from the deployer's environment: what its output must not repeat. */
export function passedSecrets(passEnv: readonly string[], allowed: readonly string[], host: Readonly<Record<string, string | undefined>>): string[] {
  return passEnv.filter((name) => allowed.includes(name) && host[name] !== undefined).map((name) => host[name]!);
}

const SECRET_ASSIGNMENT = /\b([A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)[A-Za-z0-9_]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi;

/**
 * Hook output on its way into a failure reason (task errors, records,
 * notifications): the values of secrets the hook was given, credentials in
 * URLs, and `SOMETHING_TOKEN=value`-style assignments become [redacted].
 */
export function redactHookOutput(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(secret).join('[redacted]');
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/\s]+@/gi, '$1[redacted]@');
  return out.replace(SECRET_ASSIGNMENT, (_m, name: string, sep: string) => `${name}${sep}[redacted]`);
}
