import express from 'express';
import request from 'supertest';
import { verifyJsonBody } from './json-text-inspection';
import { allowHosts, gatewayPolicyFromEnv, hostName, requireJsonBodies } from './request-policy';

function server() {
  const app = express();
  app.use(allowHosts(gatewayPolicyFromEnv({ HTTP_HOST: '10.1.2.3', HTTP_ALLOWED_HOSTS: ['api.example.org'], HTTP_CORS_ORIGINS: [] }).allowedHosts));
  app.use(requireJsonBodies());
  app.use(express.json({ verify: verifyJsonBody() }));
  app.post('/act', (req, res) => res.json({ got: req.body ?? null }));
  app.get('/health/ready', (_req, res) => res.json({ ok: true }));
  // The shape HttpErrorFilter gives body-parser errors (Nest wires the real one).
  app.use((error: { status?: number; type?: string; message: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.type === 'entity.unsafe.json' ? 400 : (error.status ?? 500)).json({ message: error.message });
  });
  return app;
}

describe('request policy middleware', () => {
  const app = server();

  it('reads host names with ports and IPv6 brackets', () => {
    expect(hostName('LocalHost:8080')).toBe('localhost');
    expect(hostName('[::1]:8080')).toBe('[::1]');
    expect(hostName('api.example.org')).toBe('api.example.org');
  });

  it('answers the local names, the configured host and the allowlist; refuses others with 421 naming the host', async () => {
    for (const host of ['localhost:8080', '127.0.0.1', '[::1]:1', '10.1.2.3:8080', 'api.example.org']) {
      await request(app).post('/act').set('host', host).send({ a: 1 }).expect(200);
    }
    const refused = await request(app).post('/act').set('host', 'evil.example.com').send({ a: 1 });
    expect(refused.status).toBe(421);
    expect(refused.body.message).toMatch(/does not answer to host "evil.example.com".*HTTP_ALLOWED_HOSTS/);
    await request(app).get('/health/ready').set('host', 'pod-10-0-0-7').expect(200);
  });

  it('refuses bodies that are not application/json with 415 naming the type', async () => {
    const plain = await request(app).post('/act').set('content-type', 'text/plain').send('{"pools":[]}');
    expect(plain.status).toBe(415);
    expect(plain.body.message).toMatch(/must be application\/json, not "text\/plain"/);
    const form = await request(app).post('/act').set('content-type', 'application/x-www-form-urlencoded').send('a=1');
    expect(form.status).toBe(415);
    await request(app).post('/act').set('content-type', 'application/json; charset=utf-8').send('{"a":1}').expect(200, { got: { a: 1 } });
    await request(app).post('/act').expect(200);
  });

  it('refuses lone surrogates and over-deep JSON with 400 naming the problem', async () => {
    const surrogate = await request(app).post('/act').set('content-type', 'application/json').send('{"correlationId":"\\ud800"}');
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.message).toMatch(/lone surrogate/);
    const deep = await request(app).post('/act').set('content-type', 'application/json').send(`${'['.repeat(3000)}${']'.repeat(3000)}`);
    expect(deep.status).toBe(400);
    expect(deep.body.message).toMatch(/nested deeper than 64/);
  });
});
