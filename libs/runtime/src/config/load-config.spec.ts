import { z } from 'zod';
import { baseEnvSchema, envFields } from './env-fields';
import { ConfigError, loadConfig } from './load-config';

const schema = baseEnvSchema.extend({ HTTP_PORT: envFields.port(8080), API_TOKEN: z.string().min(20) });

describe('loadConfig', () => {
  it('applies defaults and parses lists and numbers', () => {
    const config = loadConfig('svc', schema, { API_TOKEN: 'x'.repeat(20), KAFKA_BROKERS: 'a:1, b:2', HTTP_PORT: '9000' });
    expect(config).toMatchObject({ HTTP_PORT: 9000, KAFKA_BROKERS: ['a:1', 'b:2'], REDIS_KEY_PREFIX: 'ac:', INFLUX_DATABASE: 'autocode' });
  });

  it('fails naming every bad variable and the value it got', () => {
    const run = () => loadConfig('svc', schema, { API_TOKEN: 'x'.repeat(20), HTTP_PORT: 'eighty', KAFKA_BROKERS: 'nohostport' });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/HTTP_PORT: .*\(got "eighty"\)/);
    expect(run).toThrow(/KAFKA_BROKERS.*host:port/);
  });

  it('never echoes the value of a secret-looking variable', () => {
    const run = () => loadConfig('svc', schema, { API_TOKEN: 'short-secret' });
    expect(run).toThrow(/API_TOKEN/);
    try {
      run();
    } catch (error) {
      expect((error as Error).message).not.toContain('short-secret');
    }
  });
});
