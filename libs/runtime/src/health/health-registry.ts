import { Injectable } from '@nestjs/common';
import type { ComponentHealth, HealthIndicator, ReadinessReport } from './health-indicator';

const CHECK_TIMEOUT_MS = 2000;

@Injectable()
export class HealthRegistry {
  private readonly indicators = new Map<string, HealthIndicator>();
  private started = false;

  register(indicator: HealthIndicator): void {
    this.indicators.set(indicator.name, indicator);
  }

  /** Called once the service's consumers are running; until then it is not ready. */
  markStarted(): void {
    this.started = true;
  }

  async readiness(): Promise<ReadinessReport> {
    const components = await Promise.all([...this.indicators.values()].map((i) => this.run(i)));
    const dependenciesUp = components.every((c) => c.status === 'up' || !c.critical);
    return { status: dependenciesUp && this.started ? 'ready' : 'unready', started: this.started, components };
  }

  /** Whether every critical dependency answers, regardless of start-up. */
  async dependenciesReady(): Promise<boolean> {
    const components = await Promise.all([...this.indicators.values()].map((i) => this.run(i)));
    return components.every((c) => c.status === 'up' || !c.critical);
  }

  private async run(indicator: HealthIndicator): Promise<ComponentHealth> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      });
      const result = await Promise.race([indicator.check(), timeout]);
      return { name: indicator.name, critical: indicator.critical, latencyMs: elapsed(started), ...result };
    } catch (error) {
      return {
        name: indicator.name,
        critical: indicator.critical,
        latencyMs: elapsed(started),
        status: 'down',
        error: (error as Error).message,
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}
