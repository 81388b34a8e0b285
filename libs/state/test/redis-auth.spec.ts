import { HealthRegistry } from '@autocode/runtime';
import { randomCredentials, ThrowawayRedis, waitUntil } from '@autocode/testing';
import { RedisConnection } from '../src/redis-connection';
import { RedisHealthIndicator } from '../src/redis.health';

/** The state lib against a Redis of the test's own that requires AUTH, with an ACL user (secrets made up at run time). */
describe('Redis with AUTH and ACL users', () => {
  const defaultPassword = randomCredentials('default').password;
  const aclUser = randomCredentials('svc');
  let redis: ThrowawayRedis;
  const connections: RedisConnection[] = [];

  const open = (url: string, security?: ConstructorParameters<typeof RedisConnection>[0]['security']) => {
    const connection = new RedisConnection({ url, keyPrefix: 'auth-test:', security });
    connections.push(connection);
    return connection;
  };
  const readinessOf = async (connection: RedisConnection) => {
    const registry = new HealthRegistry();
    registry.register(new RedisHealthIndicator(connection));
    registry.markStarted();
    return registry.readiness();
  };

  beforeAll(async () => {
    redis = await ThrowawayRedis.start({ password: defaultPassword, users: [aclUser] });
  });

  afterAll(async () => {
    await Promise.all(connections.map((c) => c.close()));
    await redis?.destroy();
  });

  it('connects with the password in REDIS_PASSWORD, and is ready', async () => {
    const connection = open(redis.url, { password: defaultPassword });
    await connection.client.set(connection.key('k'), 'v');
    expect(await connection.client.get(connection.key('k'))).toBe('v');
    expect(await connection.client.call('ACL', 'WHOAMI')).toBe('default');
    expect((await readinessOf(connection)).status).toBe('ready');
  });

  it('connects as an ACL user named in the URL, or in REDIS_USERNAME/REDIS_PASSWORD', async () => {
    const fromUrl = open(redis.urlFor(aclUser.username, aclUser.password));
    expect(await fromUrl.client.call('ACL', 'WHOAMI')).toBe(aclUser.username);
    // Explicit settings win over the URL.
    const fromEnv = open(redis.urlFor('default', 'not-this-one'), { username: aclUser.username, password: aclUser.password });
    expect(await fromEnv.client.call('ACL', 'WHOAMI')).toBe(aclUser.username);
    expect((await readinessOf(fromEnv)).status).toBe('ready');
  });

  it.each([
    ['a wrong password', () => ({ password: `${defaultPassword}-wrong` }), 'default'],
    ['a wrong ACL password', () => ({ username: aclUser.username, password: `${aclUser.password}-wrong` }), aclUser.username],
    ['no password at all', () => undefined, 'default'],
  ])('fails readiness with a clear error on %s, without the secret', async (_label, security, user) => {
    const connection = open(redis.url, security());
    const report = await waitUntil('readiness to judge Redis', async () => {
      const result = await readinessOf(connection);
      const component = result.components.find((c) => c.name === 'redis');
      return component?.error && /refused|NOAUTH|WRONGPASS/.test(component.error) ? { result, component } : undefined;
    });
    expect(report.result.status).toBe('unready');
    expect(report.component.error).toMatch(new RegExp(`^Redis refused the credentials of user "${user}" .*(WRONGPASS|NOAUTH)`));
    expect(report.component.error).not.toContain(defaultPassword);
    expect(report.component.error).not.toContain(aclUser.password);
  });
});
