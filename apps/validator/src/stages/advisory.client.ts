import { Inject, Injectable } from '@nestjs/common';
import { BreakerRegistry, type CircuitBreaker } from '@autocode/resilience';
import { SERVICE_CONFIG } from '@autocode/runtime';
import type { ValidatorConfig } from '../config/validator.config';

export interface Advisory {
  title: string;
  severity: string;
  vulnerable_versions: string;
  url?: string;
}

/**
 * The npm bulk advisory API (`POST /-/npm/v1/security/advisories/bulk`,
 * what `npm audit` speaks), behind a circuit breaker.
 */
@Injectable()
export class AdvisoryClient {
  private readonly breaker?: CircuitBreaker<[Record<string, string[]>], Record<string, Advisory[]>>;

  constructor(breakers: BreakerRegistry, @Inject(SERVICE_CONFIG) config: ValidatorConfig) {
    const url = config.VALIDATOR_ADVISORY_URL;
    if (url) {
      this.breaker = breakers.create('npm-advisories', (packages: Record<string, string[]>) => bulkAdvisories(url, packages), { timeoutMs: 20_000 });
    }
  }

  get configured(): boolean {
    return this.breaker !== undefined;
  }

  /** Advisories per package name for the given versions (the registry filters by version). */
  async advisories(packages: Record<string, string[]>): Promise<Record<string, Advisory[]>> {
    if (!this.breaker) throw new Error('no advisory source is configured');
    return this.breaker.fire(packages);
  }
}

async function bulkAdvisories(base: string, packages: Record<string, string[]>): Promise<Record<string, Advisory[]>> {
  const response = await fetch(new URL('/-/npm/v1/security/advisories/bulk', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(packages),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`advisory source answered ${response.status}`);
  return (await response.json()) as Record<string, Advisory[]>;
}
