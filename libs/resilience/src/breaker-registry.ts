import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type BreakerOptions, type BreakerState, CircuitBreaker } from './circuit-breaker';

export interface BreakerSnapshot {
  name: string;
  state: BreakerState;
  critical: boolean;
  stats: CircuitBreaker<unknown[], unknown>['stats'];
}

/**
 * Creates every breaker of a service and remembers them, so their states
 * can be reported as metrics and in readiness from one place.
 */
@Injectable()
export class BreakerRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger(BreakerRegistry.name);
  private readonly breakers = new Map<string, CircuitBreaker<never[], unknown>>();

  create<A extends unknown[], R>(
    name: string,
    action: (...args: A) => Promise<R>,
    options?: BreakerOptions,
  ): CircuitBreaker<A, R> {
    if (this.breakers.has(name)) throw new Error(`a circuit breaker named "${name}" already exists`);
    const breaker = new CircuitBreaker(name, action, options);
    breaker.onStateChange((state) => this.logger.warn({ msg: 'circuit breaker changed state', breaker: name, state }));
    this.breakers.set(name, breaker as unknown as CircuitBreaker<never[], unknown>);
    return breaker;
  }

  snapshot(): BreakerSnapshot[] {
    return [...this.breakers.values()].map((b) => ({ name: b.name, state: b.state, critical: b.critical, stats: b.stats }));
  }

  onApplicationShutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
  }
}
