import { z } from 'zod';
import { EgressPolicy, egressEnvFields } from '@autocode/http';

/**
 * Environment fields of a service that talks to a model. Any
 * OpenAI-compatible chat-completions endpoint works: OpenAI, vLLM, Ollama,
 * llama.cpp's server, LiteLLM … Without LLM_BASE_URL and LLM_MODEL no model
 * is configured, and nothing that needs one is offered.
 */
export const llmEnvFields = {
  /** Up to and including the API version: `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1` … */
  LLM_BASE_URL: z.url().optional(),
  LLM_MODEL: z.string().min(1).max(200).optional(),
  /** Sent as a bearer token; never logged. Local servers usually need none. */
  LLM_API_KEY: z.string().min(1).optional(),
  /** One request's time limit. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(120_000),
  /** Attempts per request (1: no retry), within the retry budget. */
  LLM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  LLM_MAX_TOKENS: z.coerce.number().int().min(1).max(200_000).default(4096),
  LLM_TEMPERATURE: z.coerce.number().min(0).max(2).default(0),
  /** Failed requests (in the breaker's window) before it may open, and the share of failures that opens it. */
  LLM_BREAKER_VOLUME_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  LLM_BREAKER_ERROR_PERCENT: z.coerce.number().int().min(1).max(100).default(50),
  /** How long the breaker stays open before a trial request. */
  LLM_BREAKER_RESET_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /**
   * The model endpoint is called within the egress policy: a local server
   * (`http://127.0.0.1:11434/v1`) must be named here, e.g. `127.0.0.1:11434`.
   */
  ...egressEnvFields,
};

export interface LlmEnv {
  LLM_BASE_URL?: string;
  LLM_MODEL?: string;
  LLM_API_KEY?: string;
  LLM_TIMEOUT_MS: number;
  LLM_MAX_ATTEMPTS: number;
  LLM_MAX_TOKENS: number;
  LLM_TEMPERATURE: number;
  LLM_BREAKER_VOLUME_THRESHOLD: number;
  LLM_BREAKER_ERROR_PERCENT: number;
  LLM_BREAKER_RESET_MS: number;
  EGRESS_ALLOW?: string;
}

export interface LlmClientOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  maxAttempts: number;
  maxTokens: number;
  temperature: number;
  breaker: { volumeThreshold: number; errorThresholdPercentage: number; resetTimeoutMs: number };
  /** First retry delay; doubles per attempt, with jitter. */
  retryDelayMs?: number;
  /** Where requests may go; default: EGRESS_ALLOW of this process. */
  egress?: EgressPolicy;
}

/** The client's options, or undefined when no model is configured. */
export function llmOptionsFrom(env: LlmEnv): LlmClientOptions | undefined {
  if (!env.LLM_BASE_URL || !env.LLM_MODEL) return undefined;
  return {
    baseUrl: env.LLM_BASE_URL.replace(/\/+$/, ''),
    model: env.LLM_MODEL,
    apiKey: env.LLM_API_KEY,
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxAttempts: env.LLM_MAX_ATTEMPTS,
    maxTokens: env.LLM_MAX_TOKENS,
    temperature: env.LLM_TEMPERATURE,
    breaker: { volumeThreshold: env.LLM_BREAKER_VOLUME_THRESHOLD, errorThresholdPercentage: env.LLM_BREAKER_ERROR_PERCENT, resetTimeoutMs: env.LLM_BREAKER_RESET_MS },
    egress: EgressPolicy.fromEnv(env),
  };
}

/** Why no model is configured, in words for an operator. */
export const NO_MODEL_CONFIGURED = 'no model is configured (set LLM_BASE_URL and LLM_MODEL; LLM_API_KEY if the endpoint needs one)';
