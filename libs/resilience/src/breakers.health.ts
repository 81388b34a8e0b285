import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry, type HealthCheckResult, type HealthIndicator } from '@autocode/runtime';
import { BreakerRegistry } from './breaker-registry';

/** Reports every breaker; an open critical one makes the service unready. */
@Injectable()
export class BreakersHealthIndicator implements HealthIndicator, OnModuleInit {
  readonly name = 'circuit-breakers';
  readonly critical = true;

  constructor(
    private readonly breakers: BreakerRegistry,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register(this);
  }

  async check(): Promise<HealthCheckResult> {
    const snapshot = this.breakers.snapshot();
    const details = Object.fromEntries(snapshot.map((b) => [b.name, b.state]));
    const openCritical = snapshot.filter((b) => b.critical && b.state === 'open').map((b) => b.name);
    return openCritical.length
      ? { status: 'down', details, error: `open: ${openCritical.join(', ')}` }
      : { status: 'up', details };
  }
}
