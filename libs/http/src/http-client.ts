import { Injectable } from '@nestjs/common';
import { BreakerRegistry, type CircuitBreaker } from '@autocode/resilience';
import { EgressFetcher } from './egress-fetch';
import { EgressDeniedError } from './egress-policy';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless it is a string. */
  body?: unknown;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: unknown;
  durationMs: number;
}

const MAX_BODY_CHARS = 100_000;
/** Redirects followed, each hop checked by the egress policy again. */
export const MAX_REDIRECTS = 5;

export class HttpStatusError extends Error {
  constructor(readonly response: HttpResponse) {
    super(`answered ${response.status}`);
    this.name = 'HttpStatusError';
  }
}

/**
 * Plain HTTP calls behind the `http-request` breaker, only where the egress
 * policy allows (a refusal never reaches the network and never trips the
 * breaker). A 5xx answer, a timeout or a refused connection count against
 * the remote end; a 4xx answer is returned to the caller and does not.
 * Redirects are followed up to MAX_REDIRECTS, each hop checked.
 */
@Injectable()
export class HttpClient {
  private readonly breaker: CircuitBreaker<[HttpRequest], HttpResponse>;

  constructor(breakers: BreakerRegistry, egress: EgressFetcher) {
    this.breaker = breakers.create('http-request', (request: HttpRequest) => send(egress, request), {
      timeoutMs: false,
      volumeThreshold: 5,
      isClientError: (error) => (error instanceof HttpStatusError && error.response.status < 500) || error instanceof EgressDeniedError,
    });
  }

  /** Resolves with any answer below 500; rejects on 5xx (HttpStatusError), timeouts and network errors. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.breaker.fire(request);
    } catch (error) {
      if (error instanceof HttpStatusError && error.response.status < 500) return error.response;
      throw error;
    }
  }
}

async function send(egress: EgressFetcher, request: HttpRequest): Promise<HttpResponse> {
  const started = performance.now();
  const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const response = await egress.fetch(request.url, {
    method: request.method,
    headers: { ...(body !== undefined && typeof request.body !== 'string' ? { 'content-type': 'application/json' } : {}), ...request.headers },
    body,
    maxRedirects: MAX_REDIRECTS,
    signal: AbortSignal.timeout(request.timeoutMs ?? 10_000),
  });
  const text = (await response.text()).slice(0, MAX_BODY_CHARS);
  let json: unknown = null;
  if (/json/.test(response.headers.get('content-type') ?? '')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  const result: HttpResponse = {
    status: response.status,
    headers: Object.fromEntries([...response.headers.entries()].filter(([k]) => !/set-cookie|authorization/i.test(k))),
    body: text,
    json,
    durationMs: Math.round(performance.now() - started),
  };
  if (response.status >= 400) throw new HttpStatusError(result);
  return result;
}
