import { accessSync, constants } from 'node:fs';
import type { BaseEnv } from './env-fields';

/**
 * How a service authenticates to Kafka and Redis and encrypts the way
 * there, from the shared environment. Secrets stay in these objects: they
 * are handed to the clients and never logged or reported.
 */
export interface KafkaSecurityOptions {
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** TLS to the brokers; files are PEM. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export interface RedisSecurityOptions {
  /** Override credentials in the URL; also used for the master found through Sentinel. */
  username?: string;
  password?: string;
  /** TLS (`rediss://` or REDIS_TLS); the CA file is PEM. */
  tls?: { caFile?: string };
  sentinelUsername?: string;
  sentinelPassword?: string;
}

export function kafkaSecurityOf(env: BaseEnv): KafkaSecurityOptions {
  const security: KafkaSecurityOptions = {};
  if (env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD) {
    security.sasl = { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD };
  }
  if (env.KAFKA_SSL) security.tls = { caFile: env.KAFKA_SSL_CA_FILE, certFile: env.KAFKA_SSL_CERT_FILE, keyFile: env.KAFKA_SSL_KEY_FILE };
  return security;
}

export function redisSecurityOf(env: BaseEnv): RedisSecurityOptions {
  const tls = env.REDIS_TLS || env.REDIS_URL.startsWith('rediss://');
  return {
    username: env.REDIS_USERNAME,
    password: env.REDIS_PASSWORD,
    ...(tls ? { tls: { caFile: env.REDIS_TLS_CA_FILE } } : {}),
    sentinelUsername: env.REDIS_SENTINEL_USERNAME,
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
  };
}

/**
 * Rules across variables that a per-field schema cannot express, each
 * naming the variable to fix. A half-configured security setting would
 * otherwise surface later as a vague connection failure, or silently
 * connect without it.
 */
export function engineSecurityProblems(env: BaseEnv): string[] {
  const problems: string[] = [];
  const sasl = [env.KAFKA_SASL_MECHANISM, env.KAFKA_SASL_USERNAME, env.KAFKA_SASL_PASSWORD];
  if (sasl.some(Boolean) && !sasl.every(Boolean)) {
    for (const [name, value] of [['KAFKA_SASL_MECHANISM', env.KAFKA_SASL_MECHANISM], ['KAFKA_SASL_USERNAME', env.KAFKA_SASL_USERNAME], ['KAFKA_SASL_PASSWORD', env.KAFKA_SASL_PASSWORD]] as const) {
      if (!value) problems.push(`${name}: is required when any of KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD is set`);
    }
  }
  const kafkaFiles = [['KAFKA_SSL_CA_FILE', env.KAFKA_SSL_CA_FILE], ['KAFKA_SSL_CERT_FILE', env.KAFKA_SSL_CERT_FILE], ['KAFKA_SSL_KEY_FILE', env.KAFKA_SSL_KEY_FILE]] as const;
  for (const [name, file] of kafkaFiles) {
    if (file && !env.KAFKA_SSL) problems.push(`${name}: is set but KAFKA_SSL is not true`);
  }
  if (Boolean(env.KAFKA_SSL_CERT_FILE) !== Boolean(env.KAFKA_SSL_KEY_FILE)) problems.push('KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE: mutual TLS needs both');
  const redisTls = env.REDIS_TLS || env.REDIS_URL.startsWith('rediss://');
  if (env.REDIS_TLS_CA_FILE && !redisTls) problems.push('REDIS_TLS_CA_FILE: is set but neither REDIS_TLS is true nor REDIS_URL starts with rediss://');
  for (const [name, file] of [...kafkaFiles, ['REDIS_TLS_CA_FILE', env.REDIS_TLS_CA_FILE] as const]) {
    if (file && !readable(file)) problems.push(`${name}: no readable file at ${file}`);
  }
  if (env.REDIS_USERNAME && !env.REDIS_PASSWORD && !passwordInUrl(env.REDIS_URL)) problems.push('REDIS_PASSWORD: is required with REDIS_USERNAME (or give both in REDIS_URL)');
  return problems;
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function passwordInUrl(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/** A URL as it may be shown: any user and password replaced. */
export function redactUrlCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1[redacted]@');
}
