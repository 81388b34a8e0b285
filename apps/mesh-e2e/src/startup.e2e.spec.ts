import { SERVICES, ServiceProcess, waitUntil } from '@autocode/testing';

/** Each service checks its environment before it creates anything, and says which variable is wrong. */
describe('start-up configuration', () => {
  it.each(SERVICES)('%s refuses a bad environment, naming the variable, before connecting anywhere', async (name) => {
    const service = await ServiceProcess.start(
      name,
      { HTTP_PORT: '0', KAFKA_BROKERS: 'not-a-broker', REDIS_URL: 'redis://127.0.0.1:6379', INFLUX_PASSWORD: 'hunter2-secret', LOG_LEVEL: 'loud' },
      { waitReady: false },
    );
    const code = await waitUntil(`${name} to exit`, () => service.exited ?? undefined, { timeoutMs: 20_000 });
    expect(code).toBe(78);
    expect(service.logs()).not.toContain('hunter2-secret');
    const fatal = JSON.parse(service.logs().split('\n').find((l) => l.includes('"fatal"')) ?? '{}') as { msg?: string; service?: string };
    expect(fatal.service).toBe(name);
    expect(fatal.msg).toContain(`invalid configuration for ${name}`);
    expect(fatal.msg).toContain('KAFKA_BROKERS: each entry must be host:port (got "not-a-broker")');
    expect(fatal.msg).toMatch(/LOG_LEVEL: .*\(got "loud"\)/);
  });
});
