import type { HealthCheckResult, HealthIndicator } from '@autocode/runtime';
import type { GeneratorRegistry } from './generator-registry';

/** Lists, under /health/ready, the generators this node offers and why any other is not offered. */
export class GeneratorsHealthIndicator implements HealthIndicator {
  readonly name = 'generators';
  readonly critical = false;

  constructor(private readonly registry: GeneratorRegistry) {}

  async check(): Promise<HealthCheckResult> {
    return { status: 'up', details: { offered: this.registry.offered(), unavailable: this.registry.unavailable() } };
  }
}
