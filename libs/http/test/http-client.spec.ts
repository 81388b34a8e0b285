import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BreakerOpenError, BreakerRegistry } from '@autocode/resilience';
import { EgressFetcher, TooManyRedirectsError } from '../src/egress-fetch';
import { EgressDeniedError, EgressPolicy } from '../src/egress-policy';
import { HttpClient, HttpStatusError, MAX_REDIRECTS } from '../src/http-client';
import { WebhookClient, WebhookRejectedError } from '../src/webhook.client';

type Seen = { method: string; url: string; body: string; headers: IncomingMessage['headers'] };

/** A real loopback HTTP server whose answers the test controls, recording every request it gets. */
async function startServer(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ server: Server; base: string; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body, headers: req.headers });
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, base: `http://127.0.0.1:${port}`, port, seen };
}

const stop = (server: Server) => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));

describe('HttpClient and WebhookClient', () => {
  let target: Awaited<ReturnType<typeof startServer>>;
  let answer: { status: number; delayMs?: number } = { status: 200 };
  const fetchers: EgressFetcher[] = [];
  /** An egress fetcher with this allowlist, closed after the suite. */
  const egress = (allow: string) => {
    const fetcher = new EgressFetcher(EgressPolicy.fromAllowList(allow));
    fetchers.push(fetcher);
    return fetcher;
  };
  let allowed: EgressFetcher;

  beforeAll(async () => {
    target = await startServer((_req, res, body) => {
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echoed: body ? JSON.parse(body) : null }));
      }, answer.delayMs ?? 0);
    });
    allowed = egress(`127.0.0.1:${target.port}`);
  });

  afterAll(async () => {
    await Promise.all(fetchers.map((f) => f.close()));
    await stop(target.server);
  });

  it('sends JSON, parses JSON answers, and returns 4xx answers without tripping the breaker', async () => {
    const breakers = new BreakerRegistry();
    const http = new HttpClient(breakers, allowed);
    answer = { status: 200 };
    const ok = await http.request({ method: 'POST', url: `${target.base}/things`, body: { a: 1 } });
    expect(ok).toMatchObject({ status: 200, json: { echoed: { a: 1 } } });
    expect(target.seen.at(-1)).toMatchObject({ method: 'POST', url: '/things' });

    answer = { status: 404 };
    for (let i = 0; i < 8; i += 1) expect((await http.request({ method: 'GET', url: `${target.base}/missing` })).status).toBe(404);
    expect(breakers.snapshot().find((b) => b.name === 'http-request')?.state).toBe('closed');
    breakers.onApplicationShutdown();
  });

  it('opens the breaker after repeated 5xx answers and times out slow calls', async () => {
    const breakers = new BreakerRegistry();
    const http = new HttpClient(breakers, allowed);
    answer = { status: 503 };
    for (let i = 0; i < 5; i += 1) await expect(http.request({ method: 'GET', url: target.base })).rejects.toThrow(HttpStatusError);
    await expect(http.request({ method: 'GET', url: target.base })).rejects.toThrow(BreakerOpenError);
    breakers.onApplicationShutdown();

    const fresh = new HttpClient(new BreakerRegistry(), allowed);
    answer = { status: 200, delayMs: 500 };
    await expect(fresh.request({ method: 'GET', url: target.base, timeoutMs: 50 })).rejects.toThrow(/abort|timeout/i);
  });

  it('posts webhook payloads and reports a rejected one', async () => {
    const webhooks = new WebhookClient(new BreakerRegistry(), allowed);
    answer = { status: 200 };
    await webhooks.send(`${target.base}/hook`, { text: 'deployed' });
    expect(JSON.parse(target.seen.at(-1)!.body)).toEqual({ text: 'deployed' });
    answer = { status: 400 };
    await expect(webhooks.send(`${target.base}/hook`, { text: 'bad' })).rejects.toThrow(WebhookRejectedError);
  });

  describe('egress policy', () => {
    it('refuses a loopback server by default and reaches it once EGRESS_ALLOW names it', async () => {
      answer = { status: 200 };
      const before = target.seen.length;
      const denied = new HttpClient(new BreakerRegistry(), egress(''));
      await expect(denied.request({ method: 'GET', url: `${target.base}/secret` })).rejects.toThrow(
        new EgressDeniedError('127.0.0.1 is a loopback address'),
      );
      const webhooks = new WebhookClient(new BreakerRegistry(), egress(''));
      await expect(webhooks.send(`${target.base}/hook`, { text: 'x' })).rejects.toThrow('egress denied: 127.0.0.1 is a loopback address (set EGRESS_ALLOW to allow it)');
      expect(target.seen.length).toBe(before);

      for (const allow of ['127.0.0.1', '127.0.0.0/8', `127.0.0.1:${target.port}`]) {
        const http = new HttpClient(new BreakerRegistry(), egress(allow));
        await expect(http.request({ method: 'GET', url: `${target.base}/open` })).resolves.toMatchObject({ status: 200 });
      }
      expect(target.seen.slice(before).map((s) => s.url)).toEqual(['/open', '/open', '/open']);
    });

    it('refuses a host name that resolves to loopback, at connect time', async () => {
      const before = target.seen.length;
      const http = new HttpClient(new BreakerRegistry(), egress(`127.0.0.1:${target.port + 1}`));
      await expect(http.request({ method: 'GET', url: `http://localhost:${target.port}/` })).rejects.toThrow(/^egress denied: localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
      expect(target.seen.length).toBe(before);

      // Allowed by name, the connection goes to the address the policy resolved.
      const byName = new HttpClient(new BreakerRegistry(), egress(`localhost:${target.port}`));
      await expect(byName.request({ method: 'GET', url: `http://localhost:${target.port}/by-name` })).resolves.toMatchObject({ status: 200 });
      expect(target.seen.at(-1)).toMatchObject({ url: '/by-name', headers: { host: `localhost:${target.port}` } });
    });

    it('never connects for a private or metadata address (refused before any socket)', async () => {
      const fetcher = egress('');
      for (const url of ['http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/', 'http://2852039166/', 'file:///etc/passwd']) {
        await expect(fetcher.fetch(url)).rejects.toThrow(EgressDeniedError);
      }
    });

    describe('redirects', () => {
      let forbidden: Awaited<ReturnType<typeof startServer>>;
      let redirector: Awaited<ReturnType<typeof startServer>>;
      let location = '';
      let status = 302;

      beforeAll(async () => {
        forbidden = await startServer((_req, res) => res.end('internal'));
        redirector = await startServer((req, res) => {
          if (req.url === '/final') return res.end('final');
          if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
          res.writeHead(status, { location }).end();
        });
      });

      afterAll(async () => {
        await stop(forbidden.server);
        await stop(redirector.server);
      });

      it('follows a redirect within the allowlist, checking each hop', async () => {
        const fetcher = egress(`127.0.0.1:${redirector.port}`);
        const http = new HttpClient(new BreakerRegistry(), fetcher);
        location = '/final';
        status = 307;
        await expect(http.request({ method: 'POST', url: `${redirector.base}/start`, body: { a: 1 }, headers: { authorization: 'Bearer t' } })).resolves.toMatchObject({ status: 200, body: 'final' });
        expect(redirector.seen.slice(-2).map((s) => [s.method, s.url, s.body, s.headers.authorization])).toEqual([
          ['POST', '/start', '{"a":1}', 'Bearer t'],
          ['POST', '/final', '{"a":1}', 'Bearer t'],
        ]);
        status = 303;
        await http.request({ method: 'POST', url: `${redirector.base}/start`, body: { a: 1 } });
        expect(redirector.seen.at(-1)).toMatchObject({ method: 'GET', url: '/final', body: '' });
      });

      it.each([
        ['another loopback port', () => `${forbidden.base}/x`, /^egress denied: 127\.0\.0\.1 is a loopback address/],
        ['a name resolving to loopback', () => `http://localhost:${forbidden.port}/x`, /^egress denied: localhost resolves to .*, a loopback address/],
        ['a private address', () => 'http://10.0.0.1/x', /^egress denied: 10\.0\.0\.1 is a private address/],
        ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/', /^egress denied: 169\.254\.169\.254 is a cloud metadata address/],
        ['a file URL', () => 'file:///etc/passwd', /^egress denied: file: URLs are not allowed/],
      ])('refuses a redirect from an allowlisted server to %s', async (_name, to, reason) => {
        const http = new HttpClient(new BreakerRegistry(), egress(`127.0.0.1:${redirector.port}`));
        location = to();
        status = 302;
        await expect(http.request({ method: 'GET', url: `${redirector.base}/start` })).rejects.toThrow(reason);
        expect(forbidden.seen).toEqual([]);
      });

      it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
        const http = new HttpClient(new BreakerRegistry(), egress(`127.0.0.1:${redirector.port}`));
        const before = redirector.seen.length;
        await expect(http.request({ method: 'GET', url: `${redirector.base}/loop` })).rejects.toThrow(TooManyRedirectsError);
        expect(redirector.seen.length - before).toBe(MAX_REDIRECTS + 1);
      });

      it('a webhook does not follow a redirect at all', async () => {
        const webhooks = new WebhookClient(new BreakerRegistry(), egress(`127.0.0.1:${redirector.port}`));
        location = '/final';
        status = 307;
        const before = redirector.seen.length;
        await expect(webhooks.send(`${redirector.base}/hook`, { text: 'x' })).rejects.toThrow('webhook answered 307');
        expect(redirector.seen.slice(before).map((s) => s.url)).toEqual(['/hook']);
      });
    });
  });
});
