import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EgressFetcher, EgressPolicy } from '@autocode/http';
import { HealthCheckClient } from './health-check.client';

/** Against a real loopback server standing for a service deployed on this host. */
describe('HealthCheckClient within the egress policy', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];
  const fetchers: EgressFetcher[] = [];
  const client = (allow: string) => {
    const fetcher = new EgressFetcher(EgressPolicy.fromAllowList(allow));
    fetchers.push(fetcher);
    return new HealthCheckClient(fetcher);
  };
  const check = { endpoint: '/health', timeout: 2000, interval: 0, retries: 1, expect_body: '"revision":"{revision}"' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ revision: 'abc123' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await Promise.all(fetchers.map((f) => f.close()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails a check of a loopback service that EGRESS_ALLOW does not name, with the reason, sending nothing', async () => {
    const report = await client('').check(check, `http://127.0.0.1:${port}`, 'abc123', new AbortController().signal);
    expect(report).toEqual({ url: `http://127.0.0.1:${port}/health`, passed: false, attempts: 2, detail: 'egress denied: 127.0.0.1 is a loopback address (set EGRESS_ALLOW to allow it)' });
    const metadata = await client('').check({ ...check, endpoint: 'http://169.254.169.254/latest/meta-data/' }, undefined, 'abc123', new AbortController().signal);
    expect(metadata.detail).toMatch(/^egress denied: 169\.254\.169\.254 is a cloud metadata address/);
    expect(seen).toEqual([]);
  });

  it('probes it once EGRESS_ALLOW names its address and port', async () => {
    const report = await client(`127.0.0.1:${port}`).check(check, `http://127.0.0.1:${port}`, 'abc123', new AbortController().signal);
    expect(report).toMatchObject({ passed: true, attempts: 1, detail: 'ok' });
    expect(seen).toEqual(['/health']);
  });
});
