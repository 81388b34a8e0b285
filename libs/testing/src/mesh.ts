import { SERVICES, ServiceProcess, type ServiceName } from './service-process';
import { TEST_MESH_SECRET } from './test-mesh-secret';
import { testApiKeysEnv } from './test-api-keys';
import { TEST_INFRA } from './test-namespace';

export interface MeshOptions {
  namespace: string;
  targetRepository: string;
  /** Extra variables per service (or for all under '*'). */
  env?: Partial<Record<ServiceName | '*', Record<string, string>>>;
  services?: readonly ServiceName[];
}

/**
 * The shared environment of a test mesh: its own topics, groups and Redis
 * keys, and the test API keys (TEST_API_KEYS) on every service that takes
 * keys; a spec that needs other keys sets API_KEYS for its service.
 */
export function meshEnv(namespace: string, targetRepository: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL || 'warn',
    KAFKA_BROKERS: TEST_INFRA.kafkaBrokers,
    KAFKA_NAMESPACE: namespace,
    KAFKA_TOPIC_PARTITIONS: '3',
    REDIS_URL: TEST_INFRA.redisUrl,
    REDIS_KEY_PREFIX: `${namespace}:`,
    INFLUX_URL: TEST_INFRA.influxUrl,
    INFLUX_DATABASE: TEST_INFRA.influxDatabase,
    METRICS_FLUSH_INTERVAL_MS: '250',
    TARGET_REPOSITORY: targetRepository,
    MESH_SECRET: TEST_MESH_SECRET,
    API_KEYS: testApiKeysEnv(),
  };
}

export class Mesh {
  private constructor(readonly services: Map<ServiceName, ServiceProcess>) {}

  static async start(options: MeshOptions): Promise<Mesh> {
    const base = meshEnv(options.namespace, options.targetRepository);
    const names = options.services ?? SERVICES;
    const started = await Promise.allSettled(
      names.map((name) =>
        ServiceProcess.start(name, { ...base, INSTANCE_ID: `${name}-${options.namespace}`, ...options.env?.['*'], ...options.env?.[name] }),
      ),
    );
    const services = new Map<ServiceName, ServiceProcess>();
    started.forEach((result, i) => result.status === 'fulfilled' && services.set(names[i], result.value));
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await Promise.all([...services.values()].map((s) => s.stop()));
      throw failure.reason;
    }
    return new Mesh(services);
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not part of this mesh`);
    return service;
  }

  get orchestratorUrl(): string {
    return this.service('orchestrator').url;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
  }
}
