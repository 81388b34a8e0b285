import { hostname } from 'node:os';
import { z } from 'zod';

/** Environment fields every service shares; each app extends this schema with its own. */

const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'each entry must be host:port')).min(1));

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

export const envFields = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  bool,
  csv,
};

export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** Distinguishes replicas of one service in logs, metrics and heartbeats. */
  INSTANCE_ID: z.string().min(1).max(100).default(`${hostname()}-${process.pid}`),

  KAFKA_BROKERS: csv('127.0.0.1:9092'),
  /** Prefixes every topic and group; lets several meshes (or test runs) share a broker. */
  KAFKA_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'must be lower-case letters, digits and dashes')
    .optional(),
  KAFKA_TOPIC_PARTITIONS: envFields.positiveInt(6),
  KAFKA_REPLICATION_FACTOR: envFields.positiveInt(1),
  /** SASL for a secured cluster; needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (see kafkaSecurityOf). */
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['plain', 'scram-sha-256', 'scram-sha-512']))
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the brokers; the CA file is for a private CA, cert and key for mutual TLS. */
  KAFKA_SSL: bool(false),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),

  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  REDIS_URL: z
    .url()
    .refine((value) => /^rediss?:\/\//.test(value), 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /** AUTH / ACL credentials; override those in REDIS_URL (and apply to the master found through Sentinel). */
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** TLS even with redis:// (rediss:// implies it); the CA file is for a private CA. */
  REDIS_TLS: bool(false),
  REDIS_TLS_CA_FILE: z.string().min(1).optional(),
  /** host:port list; when set, the master is found through Sentinel instead of REDIS_URL. */
  REDIS_SENTINELS: z.string().optional(),
  REDIS_SENTINEL_MASTER: z.string().default('autocode'),
  /** When the Sentinels themselves require AUTH (`requirepass` in sentinel.conf). */
  REDIS_SENTINEL_USERNAME: z.string().min(1).optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,40}$/, 'must be letters, digits, ":", "_" or "-"')
    .default('ac:'),

  INFLUX_URL: z.url().default('http://127.0.0.1:8086'),
  INFLUX_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('autocode'),
  INFLUX_USERNAME: z.string().optional(),
  INFLUX_PASSWORD: z.string().optional(),
  METRICS_FLUSH_INTERVAL_MS: envFields.positiveInt(1000),
});

export type BaseEnv = z.infer<typeof baseEnvSchema>;
