import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BreakerOpenError, BreakerRegistry } from '@autocode/resilience';
import { HttpClient, HttpStatusError } from '../src/http-client';
import { WebhookClient, WebhookRejectedError } from '../src/webhook.client';

/** Against a real local HTTP server whose answers the test controls. */
describe('HttpClient and WebhookClient', () => {
  let server: Server;
  let base: string;
  let answer: { status: number; delayMs?: number } = { status: 200 };
  const received: Array<{ method: string; url: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, body });
        setTimeout(() => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ echoed: body ? JSON.parse(body) : null }));
        }, answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends JSON, parses JSON answers, and returns 4xx answers without tripping the breaker', async () => {
    const breakers = new BreakerRegistry();
    const http = new HttpClient(breakers);
    answer = { status: 200 };
    const ok = await http.request({ method: 'POST', url: `${base}/things`, body: { a: 1 } });
    expect(ok).toMatchObject({ status: 200, json: { echoed: { a: 1 } } });
    expect(received.at(-1)).toMatchObject({ method: 'POST', url: '/things' });

    answer = { status: 404 };
    for (let i = 0; i < 8; i += 1) expect((await http.request({ method: 'GET', url: `${base}/missing` })).status).toBe(404);
    expect(breakers.snapshot().find((b) => b.name === 'http-request')?.state).toBe('closed');
    breakers.onApplicationShutdown();
  });

  it('opens the breaker after repeated 5xx answers and times out slow calls', async () => {
    const breakers = new BreakerRegistry();
    const http = new HttpClient(breakers);
    answer = { status: 503 };
    for (let i = 0; i < 5; i += 1) await expect(http.request({ method: 'GET', url: base })).rejects.toThrow(HttpStatusError);
    await expect(http.request({ method: 'GET', url: base })).rejects.toThrow(BreakerOpenError);
    breakers.onApplicationShutdown();

    const fresh = new HttpClient(new BreakerRegistry());
    answer = { status: 200, delayMs: 500 };
    await expect(fresh.request({ method: 'GET', url: base, timeoutMs: 50 })).rejects.toThrow(/abort|timeout/i);
  });

  it('posts webhook payloads and reports a rejected one', async () => {
    const webhooks = new WebhookClient(new BreakerRegistry());
    answer = { status: 200 };
    await webhooks.send(`${base}/hook`, { text: 'deployed' });
    expect(JSON.parse(received.at(-1)!.body)).toEqual({ text: 'deployed' });
    answer = { status: 400 };
    await expect(webhooks.send(`${base}/hook`, { text: 'bad' })).rejects.toThrow(WebhookRejectedError);
  });
});
