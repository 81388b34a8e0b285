import { randomBytes } from 'node:crypto';
import { HookEnvError, hookEnvironment, passedSecrets, passEnvProblem, redactHookOutput } from './hook-env';

const basics = { PATH: '/usr/bin:/bin', HOME: '/home/deploy', LANG: 'C.UTF-8' };

describe('hookEnvironment', () => {
  const host = { REDIS_URL: 'redis://secret-host:6379', MESH_SECRET: 'm3sh', DEPLOY_TOKEN: 'tok-123456', REGISTRY_PASSWORD: 'pw-abcdef', UNSET_OK: undefined };

  it('is built from nothing: basics, literal variables, the named passthrough ones, then the facts', () => {
    const env = hookEnvironment({
      basics,
      passEnv: ['DEPLOY_TOKEN'],
      allowed: ['DEPLOY_TOKEN', 'REGISTRY_PASSWORD'],
      host,
      literal: { SERVICE: 'api' },
      facts: { AUTOCODE_ACTION: 'deploy' },
    });
    expect(env).toEqual({ ...basics, SERVICE: 'api', DEPLOY_TOKEN: 'tok-123456', AUTOCODE_ACTION: 'deploy' });
    // Allowed by the operator but not asked for by this environment: not given.
    expect(env).not.toHaveProperty('REGISTRY_PASSWORD');
    expect(Object.values(env)).not.toContain('redis://secret-host:6379');
  });

  it('leaves out an allowed name that is not set', () => {
    expect(hookEnvironment({ basics, passEnv: ['UNSET_OK'], allowed: ['UNSET_OK'], host, literal: {}, facts: {} })).toEqual(basics);
  });

  it('refuses a name the operator does not pass, naming it and the setting that would allow it', () => {
    expect(() => hookEnvironment({ basics, passEnv: ['REDIS_URL', 'DEPLOY_TOKEN'], allowed: ['DEPLOY_TOKEN'], host, literal: {}, facts: {} })).toThrow(HookEnvError);
    expect(passEnvProblem(['REDIS_URL', 'MESH_SECRET'], ['DEPLOY_TOKEN'])).toBe(
      'deploy_hook.pass_env names REDIS_URL, MESH_SECRET, which the deployer does not pass to hooks (the operator lists what hooks may get in DEPLOY_HOOK_ENV_PASSTHROUGH)',
    );
    expect(passEnvProblem([], [])).toBeUndefined();
  });

  it('lets the facts win over a configuration that tries to fake them', () => {
    const env = hookEnvironment({ basics, passEnv: [], allowed: [], host, literal: { AUTOCODE_REVISION: 'fake' }, facts: { AUTOCODE_REVISION: 'real' } });
    expect(env.AUTOCODE_REVISION).toBe('real');
  });

  it('lists the values a hook was given, for redaction', () => {
    expect(passedSecrets(['DEPLOY_TOKEN', 'UNSET_OK', 'REDIS_URL'], ['DEPLOY_TOKEN', 'UNSET_OK'], host)).toEqual(['tok-123456']);
  });
});

describe('redactHookOutput', () => {
  it('removes the secrets the hook was given, wherever they appear', () => {
    const secret = `s3-${randomBytes(8).toString('hex')}`;
    expect(redactHookOutput(`curl failed with key ${secret} (retry ${secret})`, [secret])).toBe('curl failed with key [redacted] (retry [redacted])');
  });

  it('removes credentials in URLs and secret-looking assignments', () => {
    expect(redactHookOutput('push to https://bot:ghp_abc@example.com/r.git failed', [])).toBe('push to https://[redacted]@example.com/r.git failed');
    expect(redactHookOutput('DEPLOY_TOKEN=abc123 API_KEY: "xyz" db_password=\'p w\' PORT=80', [])).toBe("DEPLOY_TOKEN=[redacted] API_KEY: [redacted] db_password=[redacted] PORT=80");
  });

  it('ignores values too short to be secrets (they would blank ordinary words)', () => {
    expect(redactHookOutput('exit 1 on port 80', ['1', '80'])).toBe('exit 1 on port 80');
  });
});
