import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry } from '../health/health-registry';

/** Something that begins consuming work once the service is ready (Kafka consumers, timers …). */
export interface Startable {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts consumers only after HTTP is listening and every critical
 * dependency answers, and stops them first on shutdown so in-flight work
 * finishes before connections close.
 */
@Injectable()
export class ServiceRunner implements OnApplicationShutdown {
  private readonly logger = new Logger(ServiceRunner.name);
  private readonly startables: Array<{ startable: Startable; order: number }> = [];
  private running: Startable[] = [];

  constructor(private readonly health: HealthRegistry) {}

  /** Lower `order` starts first (and stops last); equal orders keep registration order. */
  register(startable: Startable, order = 0): void {
    this.startables.push({ startable, order });
  }

  async startAll(options: { dependencyTimeoutMs?: number } = {}): Promise<void> {
    await this.waitForDependencies(options.dependencyTimeoutMs ?? 120_000);
    const ordered = [...this.startables].sort((a, b) => a.order - b.order).map((s) => s.startable);
    for (const startable of ordered) {
      await startable.start();
      this.running.push(startable);
      this.logger.log({ msg: 'started', component: startable.name });
    }
    this.health.markStarted();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const startable of [...this.running].reverse()) {
      try {
        await startable.stop();
      } catch (error) {
        this.logger.warn({ msg: 'stop failed', component: startable.name, err: error as Error });
      }
    }
    this.running = [];
  }

  private async waitForDependencies(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let delay = 200;
    while (!(await this.health.dependenciesReady())) {
      if (Date.now() > deadline) throw new Error(`dependencies not ready within ${timeoutMs} ms`);
      this.logger.warn({ msg: 'waiting for dependencies', retryInMs: delay });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}
