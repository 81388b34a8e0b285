/**
 * The environment a sandboxed process gets: built from nothing (an
 * allowlist), never inherited. The service's own variables — Redis and
 * InfluxDB URLs and passwords, model API keys — are not passed on, so code
 * from a target repository cannot read them from its environment.
 */

/** Host variables copied into the sandbox when set: locale and time zone only. */
const INHERITED = ['LANG', 'LC_ALL', 'LC_CTYPE', 'TZ'] as const;

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Names a caller may not pass in explicitly either: they look like
 * credentials or like the service's own connection settings.
 */
const FORBIDDEN_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|^REDIS_|^INFLUX_|^KAFKA_|^LLM_|^OPENAI_|^AWS_|^GITHUB_|^NPM_CONFIG_)/i;
const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class ForbiddenSandboxEnvError extends Error {
  constructor(readonly variable: string) {
    super(`environment variable "${variable}" may not be passed into a sandbox: it looks like a secret or a service setting`);
    this.name = 'ForbiddenSandboxEnvError';
  }
}

export interface SandboxEnvInput {
  /** HOME and TMPDIR of the process: a scratch directory it may write to. */
  scratchDir: string;
  /** Extra variables the caller chose to pass (validated against FORBIDDEN_NAME). */
  extra?: Record<string, string>;
  /** Heap cap for Node.js processes, so a hog fails with a clear message before the rlimit. */
  nodeHeapMb?: number;
  /** Directories searched for commands, first to last; a default system PATH when absent. */
  path?: string[];
  /** The host environment the allowlisted variables are copied from (tests pass their own). */
  host?: NodeJS.ProcessEnv;
}

export function sandboxEnv(input: SandboxEnvInput): Record<string, string> {
  const host = input.host ?? process.env;
  const env: Record<string, string> = {
    PATH: input.path?.length ? input.path.join(':') : DEFAULT_PATH,
    HOME: input.scratchDir,
    TMPDIR: input.scratchDir,
    // Tools that would otherwise try the network or prompt stay quiet.
    CI: 'true',
    NO_COLOR: '1',
    NO_UPDATE_NOTIFIER: '1',
    npm_config_update_notifier: 'false',
    GIT_TERMINAL_PROMPT: '0',
    // The run has a uid of its own (see launcher.ts) and the workspace is the service's: git would call it "dubious ownership".
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'safe.directory',
    GIT_CONFIG_VALUE_0: '*',
  };
  for (const name of INHERITED) {
    const value = host[name];
    if (value !== undefined) env[name] = value;
  }
  if (input.nodeHeapMb) env.NODE_OPTIONS = `--max-old-space-size=${Math.max(16, Math.floor(input.nodeHeapMb))}`;
  for (const [name, value] of Object.entries(input.extra ?? {})) {
    if (!VALID_NAME.test(name) || FORBIDDEN_NAME.test(name)) throw new ForbiddenSandboxEnvError(name);
    env[name] = value;
  }
  return env;
}
