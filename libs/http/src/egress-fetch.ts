import { Agent, buildConnector, fetch, type Response } from 'undici';
import { EgressDeniedError, EgressPolicy } from './egress-policy';

export interface EgressRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /**
   * Redirects to follow, each hop checked by the policy again (0: a 3xx
   * answer is returned as it is). Default 0.
   */
  maxRedirects?: number;
}

export class TooManyRedirectsError extends Error {
  constructor(
    readonly url: string,
    readonly max: number,
  ) {
    super(`more than ${max} redirects (last to ${safeOrigin(url)})`);
    this.name = 'TooManyRedirectsError';
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin (the Fetch standard drops the same). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * Sends requests only where the egress policy allows. The connection itself
 * goes through the policy: the host name is resolved once, every address
 * judged, and the socket opened to exactly the address that was judged, so
 * a name that answers differently on the second lookup (DNS rebinding)
 * cannot slip through. TLS still verifies the certificate against the host
 * name. One agent (connection pool) per policy.
 */
export class EgressFetcher {
  private readonly agent: Agent;

  constructor(readonly policy: EgressPolicy) {
    const connect = buildConnector({});
    this.agent = new Agent({
      connect: (options, callback) => {
        const url = `${options.protocol}//${options.host}`;
        Promise.resolve()
          .then(() => policy.resolve(policy.checkUrl(url)))
          .then(
            (addresses) => connectToFirst(addresses, (address, done) => connect({ ...options, hostname: address }, done), callback),
            (error: Error) => callback(error, null),
          );
      },
    });
  }

  /** Like fetch, but only http(s), only where the policy allows, and redirects followed by hand with each hop checked. */
  async fetch(input: string, init: EgressRequestInit = {}): Promise<Response> {
    const maxRedirects = init.maxRedirects ?? 0;
    let url = this.policy.checkUrl(input).url;
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    let headers = { ...init.headers };
    for (let hop = 0; ; hop++) {
      const response = await this.send(url, { method, headers, body, signal: init.signal });
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || !location || maxRedirects === 0) return response;
      await response.body?.cancel();
      if (hop >= maxRedirects) throw new TooManyRedirectsError(url.toString(), maxRedirects);
      const next = this.policy.checkUrl(new URL(location, url));
      if (next.url.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.has(k.toLowerCase())));
      // 303 always, and 301/302 after a POST, become a GET without a body (what browsers and the Fetch standard do).
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-/i.test(k)));
      }
      url = next.url;
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async send(url: URL, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: 'manual', dispatcher: this.agent });
    } catch (error) {
      // fetch wraps the connector's refusal in a TypeError("fetch failed"); the refusal is the news.
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof EgressDeniedError) throw cause;
      throw error;
    }
  }
}

type Connected = Parameters<buildConnector.connector>[1];

/** Tries the judged addresses in order (a dual-stack name may listen on only one family) and hands over the first socket. */
function connectToFirst(addresses: Array<{ address: string }>, attempt: (address: string, done: Connected) => void, callback: Connected): void {
  const next = (index: number, lastError?: Error | null) => {
    if (index >= addresses.length) return callback(lastError ?? new Error('no address to connect to'), null);
    attempt(addresses[index].address, (error, socket) => (error ? next(index + 1, error) : callback(null, socket)));
  };
  next(0);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}
