import { EgressDeniedError, type EgressFetcher } from '@autocode/http';
import type { HealthCheckConfig } from '../environments/environment-config';
import { sleep } from '../deployment/sleep';

export interface HealthCheckReport {
  url: string;
  passed: boolean;
  attempts: number;
  /** What the last attempt saw. */
  detail: string;
}

/**
 * Probes a deployed service over HTTP. No circuit breaker here on purpose:
 * a failing probe is the measurement, not a dependency to protect. Probes
 * go through the egress policy like every request made for a user: a
 * service deployed on this host (localhost, 127.0.0.1) is probed only when
 * EGRESS_ALLOW names it (e.g. `127.0.0.1:3000`); a refused probe fails the
 * check with the reason. Redirects are not followed.
 */
export class HealthCheckClient {
  constructor(private readonly egress: EgressFetcher) {}

  async check(check: HealthCheckConfig, baseUrl: string | undefined, revision: string, signal: AbortSignal): Promise<HealthCheckReport> {
    const url = resolveEndpoint(check.endpoint, baseUrl);
    const expectBody = check.expect_body?.replaceAll('{revision}', revision);
    let detail = '';
    const attempts = 1 + check.retries;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      signal.throwIfAborted();
      detail = await this.probe(url, check.timeout, check.expect_status, expectBody, signal);
      if (detail === 'ok') return { url, passed: true, attempts: attempt, detail: 'ok' };
      if (attempt < attempts) await sleep(check.interval, signal);
    }
    return { url, passed: false, attempts, detail };
  }

  private async probe(url: string, timeoutMs: number, expectStatus: number | undefined, expectBody: string | undefined, signal: AbortSignal): Promise<string> {
    try {
      const response = await this.egress.fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
      const body = await response.text();
      const statusOk = expectStatus === undefined ? response.status >= 200 && response.status < 300 : response.status === expectStatus;
      if (!statusOk) return `status ${response.status}${expectStatus ? ` (expected ${expectStatus})` : ''}`;
      if (expectBody && !body.includes(expectBody)) return `body does not contain "${expectBody.slice(0, 100)}"`;
      return 'ok';
    } catch (error) {
      signal.throwIfAborted();
      if (error instanceof EgressDeniedError) return error.message;
      const e = error as Error & { cause?: { code?: string } };
      if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
      return e.cause?.code ?? e.message;
    }
  }
}

export function resolveEndpoint(endpoint: string, baseUrl: string | undefined): string {
  if (/^https?:\/\//.test(endpoint)) return endpoint;
  if (!baseUrl) throw new Error(`health check ${endpoint} is relative and the environment has no url`);
  return new URL(endpoint, baseUrl).toString();
}
