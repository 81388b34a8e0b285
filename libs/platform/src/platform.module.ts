import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '@autocode/messaging';
import { MetricsModule } from '@autocode/metrics';
import { ResilienceModule } from '@autocode/resilience';
import { kafkaSecurityOf, redisSecurityOf, RuntimeModule, type BaseEnv } from '@autocode/runtime';
import { StateModule } from '@autocode/state';

/**
 * What every service stands on: health, breakers, Redis, InfluxDB and Kafka,
 * configured from the shared part of the environment. Apps import this once
 * and add their own feature modules.
 */
@Module({})
export class PlatformModule {
  static forRoot(service: string, config: BaseEnv): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        RuntimeModule.forRoot({ service, instanceId: config.INSTANCE_ID, config }),
        ResilienceModule,
        StateModule.forRoot({
          url: config.REDIS_URL,
          sentinels: config.REDIS_SENTINELS,
          sentinelMaster: config.REDIS_SENTINEL_MASTER,
          keyPrefix: config.REDIS_KEY_PREFIX,
          security: redisSecurityOf(config),
        }),
        MetricsModule.forRoot({
          url: config.INFLUX_URL,
          database: config.INFLUX_DATABASE,
          username: config.INFLUX_USERNAME,
          password: config.INFLUX_PASSWORD,
          flushIntervalMs: config.METRICS_FLUSH_INTERVAL_MS,
        }),
        MessagingModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          namespace: config.KAFKA_NAMESPACE,
          topicPartitions: config.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          security: kafkaSecurityOf(config),
        }),
      ],
      exports: [RuntimeModule],
    };
  }
}
