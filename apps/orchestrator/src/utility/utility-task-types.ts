import { z } from 'zod';
import { jsonValueSchema, type JsonValue } from '@autocode/contracts';
import { EgressDeniedError, TooManyRedirectsError, type HttpClient, type WebhookClient } from '@autocode/http';
import { defineTaskHandler, NonRetryableTaskError } from '@autocode/worker';

const retry = { maxRetries: 3, initialDelayMs: 1000, factor: 2, maxDelayMs: 60_000, jitter: true };

/** Waits; in a workflow, a pause between steps that holds no slot of a real worker. */
export const delayTask = defineTaskHandler({
  name: 'delay',
  displayName: 'Delay',
  description: 'Waits for the given number of seconds.',
  category: 'flow',
  params: z.strictObject({ seconds: z.number().min(0).max(7 * 24 * 3600) }),
  output: z.strictObject({ waitedMs: z.number() }),
  timeLimitSeconds: 7 * 24 * 3600,
  retry,
  run: async (params, context) => {
    const started = performance.now();
    const wanted = params.seconds * 1000;
    // A timer may fire a fraction of a millisecond early: wait out any remainder, so the delay is never short.
    for (let left = wanted; left > 0; left = wanted - (performance.now() - started)) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, Math.ceil(left));
        context.signal.addEventListener('abort', () => (clearTimeout(timer), reject(context.signal.reason)), { once: true });
      });
    }
    return { waitedMs: Math.floor(performance.now() - started) };
  },
});

const httpParams = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).default({}),
  body: jsonValueSchema.optional(),
  timeoutSeconds: z.number().min(0.1).max(300).default(10),
  /** Statuses that count as success; anything else fails the task (5xx retryably, 4xx not). */
  expectStatus: z.array(z.number().int().min(100).max(599)).min(1).default([200, 201, 202, 204]),
});

export function httpRequestTask(http: HttpClient) {
  return defineTaskHandler({
    name: 'http_request',
    displayName: 'HTTP request',
    description: 'Calls a URL (behind a circuit breaker, within the egress policy) and returns the status, headers and body.',
    category: 'integration',
    params: httpParams,
    output: z.strictObject({ status: z.number(), headers: z.record(z.string(), z.string()), body: z.string(), json: jsonValueSchema, durationMs: z.number() }),
    timeLimitSeconds: 600,
    retry,
    run: async (params) => {
      const response = await refusedIsFinal(() =>
        http.request({ method: params.method, url: params.url, headers: params.headers, body: params.body, timeoutMs: params.timeoutSeconds * 1000 }),
      );
      if (!params.expectStatus.includes(response.status)) {
        const message = `${params.method} ${params.url} answered ${response.status} (expected ${params.expectStatus.join(', ')})`;
        throw response.status >= 500 ? new Error(message) : new NonRetryableTaskError(message);
      }
      return { ...response, json: (response.json ?? null) as JsonValue };
    },
  });
}

export function notifyTask(webhooks: WebhookClient) {
  return defineTaskHandler({
    name: 'notify',
    displayName: 'Notify (webhook)',
    description: 'Posts a Slack-compatible message ({ text, blocks }) to a webhook, behind a circuit breaker, within the egress policy.',
    category: 'integration',
    params: z.strictObject({
      webhookUrl: z.url({ protocol: /^https?$/ }),
      text: z.string().min(1).max(4000),
      blocks: z.array(z.record(z.string(), jsonValueSchema)).max(50).optional(),
    }),
    output: z.strictObject({ delivered: z.literal(true) }),
    timeLimitSeconds: 120,
    retry,
    run: async (params) => {
      await refusedIsFinal(() => webhooks.send(params.webhookUrl, { text: params.text, ...(params.blocks ? { blocks: params.blocks } : {}) }));
      return { delivered: true as const };
    },
  });
}

/** An egress refusal or a redirect loop will not change on a retry: the task fails at once, with the reason. */
async function refusedIsFinal<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof EgressDeniedError || error instanceof TooManyRedirectsError) throw new NonRetryableTaskError(error.message);
    throw error;
  }
}
