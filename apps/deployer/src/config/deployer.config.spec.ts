import { randomBytes } from 'node:crypto';
import { deployerConfigSchema } from './deployer.config';

// Whatever else every worker needs (the mesh secret), generated per run.
const base = { MESH_SECRET: randomBytes(32).toString('hex') };
const parse = (env: Record<string, string>) => deployerConfigSchema.parse({ ...base, ...env });
const issues = (env: Record<string, string>) => {
  const result = deployerConfigSchema.safeParse({ ...base, ...env });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('deployer configuration: what hooks may get and who runs them', () => {
  it('passes credentials a hook needs', () => {
    const config = parse({ DEPLOY_HOOK_ENV_PASSTHROUGH: 'DEPLOY_TOKEN, REGISTRY_PASSWORD' });
    expect(config.DEPLOY_HOOK_ENV_PASSTHROUGH).toEqual(['DEPLOY_TOKEN', 'REGISTRY_PASSWORD']);
    expect(config.DEPLOY_HOOK_USER).toBeUndefined();
  });

  it("refuses to pass the deployer's own settings to hooks, naming each", () => {
    expect(issues({ DEPLOY_HOOK_ENV_PASSTHROUGH: 'REDIS_URL,DEPLOY_TOKEN,API_KEYS,MESH_SECRET,KAFKA_SASL_PASSWORD' })).toEqual([
      "DEPLOY_HOOK_ENV_PASSTHROUGH.0: REDIS_URL is one of the deployer's own settings: hooks never get it",
      "DEPLOY_HOOK_ENV_PASSTHROUGH.2: API_KEYS is one of the deployer's own settings: hooks never get it",
      "DEPLOY_HOOK_ENV_PASSTHROUGH.3: MESH_SECRET is one of the deployer's own settings: hooks never get it",
      "DEPLOY_HOOK_ENV_PASSTHROUGH.4: KAFKA_SASL_PASSWORD is one of the deployer's own settings: hooks never get it",
    ]);
  });

  it('resolves DEPLOY_HOOK_USER at start-up and names a user that does not exist', () => {
    expect(parse({ DEPLOY_HOOK_USER: 'nobody' }).DEPLOY_HOOK_USER).toMatchObject({ name: 'nobody', uid: 65534, gid: 65534 });
    expect(issues({ DEPLOY_HOOK_USER: 'no-such-user-autocode' })).toEqual(['DEPLOY_HOOK_USER: user "no-such-user-autocode" does not exist on this host']);
    expect(issues({ DEPLOY_HOOK_USER: 'bad name!' })).toEqual(['DEPLOY_HOOK_USER: must be a user name or uid']);
  });
});
