import { Logger } from '@nestjs/common';
import { z } from 'zod';
import { EgressDeniedError, EgressFetcher, EgressPolicy } from '@autocode/http';
import { BreakerOpenError, type BreakerRegistry, type CircuitBreaker } from '@autocode/resilience';
import type { LlmClientOptions } from './llm-options';
import { RetryBudget } from './retry-budget';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatCompletion {
  content: string;
  model: string;
  finishReason: string | null;
  usage?: { promptTokens: number; completionTokens: number };
  /** Requests it took (1 without retries). */
  attempts: number;
}

/** The part of the chat-completions response we rely on; anything else may vary by server. */
const responseSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({ role: z.string().optional(), content: z.string().nullable() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).partial().optional(),
});

/** Why a request to the model failed; `retryable` when another attempt may succeed. */
export class LlmRequestError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'http' | 'malformed' | 'network' | 'circuit-open' | 'aborted' | 'egress-denied',
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmRequestError';
  }
}

/**
 * An OpenAI-compatible chat-completions client: one POST to
 * `<baseUrl>/chat/completions` per attempt, with a time limit, behind a
 * circuit breaker, retried with backoff for timeouts, 429s, 5xx and
 * malformed answers while the retry budget allows. The API key goes in the
 * Authorization header and nowhere else: not in errors, not in logs. The
 * endpoint is reached only within the egress policy (a local model server
 * must be allowlisted) and a redirect is not followed.
 */
export class ChatCompletionsClient {
  private readonly logger = new Logger(ChatCompletionsClient.name);
  private readonly breaker: CircuitBreaker<[ChatMessage[], AbortSignal | undefined], Omit<ChatCompletion, 'attempts'>>;
  private readonly budget = new RetryBudget();
  private readonly egress: EgressFetcher;

  constructor(
    private readonly options: LlmClientOptions,
    breakers: Pick<BreakerRegistry, 'create'>,
    breakerName = 'llm-chat-completions',
  ) {
    this.egress = new EgressFetcher(options.egress ?? EgressPolicy.fromEnv());
    this.breaker = breakers.create(breakerName, (messages: ChatMessage[], signal: AbortSignal | undefined) => this.request(messages, signal), {
      // Our own AbortSignal ends a slow request; the breaker's timer is only a backstop.
      timeoutMs: options.timeoutMs + 5_000,
      volumeThreshold: options.breaker.volumeThreshold,
      errorThresholdPercentage: options.breaker.errorThresholdPercentage,
      resetTimeoutMs: options.breaker.resetTimeoutMs,
      // A model outage must not make the service unready: its other work goes on.
      critical: false,
      // A request the server refused as bad (400, 401, 404 …) says nothing about the server's health.
      isClientError: (error) => error instanceof LlmRequestError && (error.kind === 'aborted' || error.kind === 'egress-denied' || (error.kind === 'http' && !error.retryable)),
    });
  }

  get model(): string {
    return this.options.model;
  }

  get circuitState(): CircuitBreaker<unknown[], unknown>['state'] {
    return this.breaker.state;
  }

  async complete(messages: ChatMessage[], signal?: AbortSignal): Promise<ChatCompletion> {
    this.budget.recordRequest();
    let attempt = 0;
    for (;;) {
      attempt += 1;
      try {
        const completion = await this.breaker.fire(messages, signal);
        return { ...completion, attempts: attempt };
      } catch (error) {
        const failure = asRequestError(error);
        const retry = failure.retryable && attempt < this.options.maxAttempts && !signal?.aborted && this.budget.tryRetry();
        this.logger.warn({ msg: 'model request failed', model: this.options.model, attempt, kind: failure.kind, status: failure.status, retry, err: failure.message });
        if (!retry) throw failure;
        await sleep(backoff(attempt, this.options.retryDelayMs ?? 500), signal);
      }
    }
  }

  private async request(messages: ChatMessage[], signal: AbortSignal | undefined): Promise<Omit<ChatCompletion, 'attempts'>> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Awaited<ReturnType<EgressFetcher['fetch']>>;
    try {
      response = await this.egress.fetch(`${this.options.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: this.options.model, messages, temperature: this.options.temperature, max_tokens: this.options.maxTokens, stream: false }),
        signal: combined,
      });
    } catch (error) {
      if (error instanceof EgressDeniedError) throw new LlmRequestError(`the model endpoint is not reachable: ${error.message}`, 'egress-denied', false);
      if (signal?.aborted) throw new LlmRequestError('the request was aborted', 'aborted', false);
      if (timeout.aborted) throw new LlmRequestError(`no answer from the model within ${this.options.timeoutMs} ms`, 'timeout', true);
      throw new LlmRequestError(`cannot reach the model endpoint: ${describeNetworkError(error)}`, 'network', true);
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      if (signal?.aborted) throw new LlmRequestError('the request was aborted', 'aborted', false);
      throw new LlmRequestError(`no complete answer from the model within ${this.options.timeoutMs} ms`, 'timeout', true);
    }
    if (!response.ok) {
      const retryable = response.status === 429 || response.status === 408 || response.status >= 500;
      throw new LlmRequestError(`the model endpoint answered ${response.status}: ${this.summarize(text)}`, 'http', retryable, response.status);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new LlmRequestError(`the model endpoint answered with something that is not JSON: ${this.summarize(text)}`, 'malformed', true);
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success || parsed.data.choices[0].message.content === null) {
      throw new LlmRequestError(`the model endpoint's answer is not a chat completion: ${this.summarize(text)}`, 'malformed', true);
    }
    const choice = parsed.data.choices[0];
    const usage = parsed.data.usage;
    return {
      content: choice.message.content!,
      model: parsed.data.model ?? this.options.model,
      finishReason: choice.finish_reason ?? null,
      ...(usage?.prompt_tokens !== undefined && usage.completion_tokens !== undefined ? { usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens } } : {}),
    };
  }

  /** A server's answer, shortened for an error message, with the key blanked should the server echo it. */
  private summarize(text: string): string {
    const summary = summarizeBody(text);
    return this.options.apiKey ? summary.split(this.options.apiKey).join('[redacted]') : summary;
  }
}

function asRequestError(error: unknown): LlmRequestError {
  if (error instanceof LlmRequestError) return error;
  if (error instanceof BreakerOpenError) return new LlmRequestError(`${error.message}; not calling the model`, 'circuit-open', false);
  const code = (error as { code?: string })?.code;
  if (code === 'ETIMEDOUT') return new LlmRequestError('no answer from the model in time', 'timeout', true);
  return new LlmRequestError(`model request failed: ${(error as Error)?.message ?? String(error)}`, 'network', true);
}

function summarizeBody(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine || '(empty body)';
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

function backoff(attempt: number, baseMs: number): number {
  const exponential = baseMs * 2 ** (attempt - 1);
  return Math.round(exponential / 2 + Math.random() * (exponential / 2));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
