import { Injectable } from '@nestjs/common';
import { BreakerRegistry, type CircuitBreaker } from '@autocode/resilience';
import { EgressFetcher } from './egress-fetch';
import { EgressDeniedError } from './egress-policy';

export class WebhookRejectedError extends Error {
  constructor(readonly status: number) {
    super(`webhook answered ${status}`);
    this.name = 'WebhookRejectedError';
  }
}

/**
 * POSTs JSON to webhooks behind one circuit breaker, only where the egress
 * policy allows; a 4xx is the message's fault, not the endpoint's, and does
 * not trip it, nor does an egress refusal. A redirect is not followed: it
 * counts as a rejection.
 */
@Injectable()
export class WebhookClient {
  private readonly breaker: CircuitBreaker<[string, unknown], void>;

  constructor(breakers: BreakerRegistry, egress: EgressFetcher) {
    this.breaker = breakers.create('webhook-notify', (url: string, body: unknown) => post(egress, url, body), {
      timeoutMs: 10_000,
      isClientError: (error) => (error instanceof WebhookRejectedError && error.status < 500) || error instanceof EgressDeniedError,
    });
  }

  send(url: string, body: unknown): Promise<void> {
    return this.breaker.fire(url, body);
  }
}

async function post(egress: EgressFetcher, url: string, body: unknown): Promise<void> {
  const response = await egress.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(8000),
  });
  await response.body?.cancel();
  if (!response.ok) throw new WebhookRejectedError(response.status);
}
