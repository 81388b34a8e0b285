import { z } from 'zod';
import { baseEnvSchema, envFields } from './env-fields';
import { ConfigError, kafkaSecurityOf, loadConfig, redisSecurityOf } from './load-config';

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

describe('engine security settings', () => {
  const base = { API_TOKEN: 'x'.repeat(20) };

  it('maps SASL, TLS and Redis credentials from the environment', () => {
    const config = loadConfig('svc', schema, {
      ...base,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'pw-from-env',
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: __filename,
      REDIS_URL: 'rediss://app:pw@redis.internal:6380',
    });
    expect(kafkaSecurityOf(config)).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'pw-from-env' },
      tls: { caFile: __filename, certFile: undefined, keyFile: undefined },
    });
    expect(redisSecurityOf(config)).toMatchObject({ tls: { caFile: undefined } });
    expect(kafkaSecurityOf(loadConfig('svc', schema, base))).toEqual({});
  });

  it('names what is missing from a half-configured setting, without echoing secrets', () => {
    const run = () => loadConfig('svc', schema, { ...base, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: 'pw-half-set', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem', KAFKA_SSL_CA_FILE: '/nonexistent/kafka-ca.pem' });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/KAFKA_SASL_USERNAME: is required when any of KAFKA_SASL_MECHANISM/);
    expect(run).toThrow(/KAFKA_SSL_CA_FILE: is set but KAFKA_SSL is not true/);
    expect(run).toThrow(/REDIS_TLS_CA_FILE: is set but neither REDIS_TLS/);
    expect(run).toThrow(/REDIS_TLS_CA_FILE: no readable file at \/nonexistent\/ca.pem/);
    expect(() => loadConfig('svc', schema, { ...base, KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toThrow(/KAFKA_SASL_MECHANISM: .*"plain"/);
    try {
      run();
    } catch (error) {
      expect((error as Error).message).not.toContain('pw-half-set');
    }
  });

  it('never echoes the credentials of a rejected Redis URL', () => {
    const run = () => loadConfig('svc', schema, { ...base, REDIS_URL: 'http://admin:s3cret-pw@redis:6379' });
    expect(run).toThrow(/REDIS_URL: must start with redis:\/\/ or rediss:\/\/ \(got "http:\/\/\[redacted\]@redis:6379"\)/);
  });
});
