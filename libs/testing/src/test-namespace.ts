import { randomBytes } from 'node:crypto';

/** A fresh namespace for Kafka topics/groups and Redis keys, so tests never see each other's data. */
export function testNamespace(label = 't'): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

export const TEST_INFRA = {
  kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  influxUrl: process.env.INFLUX_URL ?? 'http://127.0.0.1:8086',
  influxDatabase: process.env.TEST_INFLUX_DATABASE ?? 'autocode_test',
} as const;
