import { Injectable } from '@nestjs/common';
import { BreakerRegistry, type CircuitBreaker } from '@autocode/resilience';

export class WebhookRejectedError extends Error {
  constructor(readonly status: number) {
    super(`webhook answered ${status}`);
    this.name = 'WebhookRejectedError';
  }
}

/** POSTs JSON to webhooks behind one circuit breaker; a 4xx is the message's fault, not the endpoint's, and does not trip it. */
@Injectable()
export class WebhookClient {
  private readonly breaker: CircuitBreaker<[string, unknown], void>;

  constructor(breakers: BreakerRegistry) {
    this.breaker = breakers.create('webhook-notify', (url: string, body: unknown) => post(url, body), {
      timeoutMs: 10_000,
      isClientError: (error) => error instanceof WebhookRejectedError && error.status < 500,
    });
  }

  send(url: string, body: unknown): Promise<void> {
    return this.breaker.fire(url, body);
  }
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(8000),
    redirect: 'error',
  });
  await response.body?.cancel();
  if (!response.ok) throw new WebhookRejectedError(response.status);
}
