import 'reflect-metadata';
import { Controller, Get, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule, Authorize, CurrentPrincipal, parseApiKeysEnv, type Principal } from '../src';

@Authorize('viewer')
@Controller('things')
class ThingsController {
  @Get()
  list(@CurrentPrincipal() who: Principal): { who: Principal } {
    return { who };
  }

  @Post('launch')
  @Authorize('operator')
  launch(@CurrentPrincipal() who: Principal): { launchedBy: string } {
    return { launchedBy: who.name };
  }
}

@Controller('open')
class OpenController {
  @Get()
  open(): { ok: true } {
    return { ok: true };
  }
}

const VIEWER = 'viewer-key-0123456789';
const OPERATOR = 'operator-key-0123456789';

async function serve(keys: string): Promise<{ app: INestApplication; url: string }> {
  @Module({ imports: [AuthModule.forRoot(keys ? parseApiKeysEnv(keys) : parseApiKeysEnv(''))], controllers: [ThingsController, OpenController] })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

/** A real HTTP server with the guard in place, called the way a client would. */
describe('ApiKeyGuard over HTTP', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await serve(`v:viewer:${VIEWER},ops:operator:${OPERATOR}`));
  });
  afterAll(async () => {
    await app?.close();
  });

  const call = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, { method, headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
  };

  it('401s without a key, saying how to send one', async () => {
    const { status, body, headers } = await call('GET', '/things');
    expect(status).toBe(401);
    expect(body.message).toMatch(/role viewer or higher is required: send it as "Authorization: Bearer <key>"/);
    expect(headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('401s for an unknown key without echoing it', async () => {
    const { status, body } = await call('GET', '/things', { 'x-api-key': 'wrong-key-0123456789' });
    expect(status).toBe(401);
    expect(JSON.stringify(body)).not.toContain('wrong-key');
    expect(body.message).toBe('the API key is not valid');
  });

  it('lets a viewer read and forbids it an operator action (403 naming both roles)', async () => {
    const read = await call('GET', '/things', { authorization: `Bearer ${VIEWER}` });
    expect(read).toMatchObject({ status: 200, body: { who: { name: 'v', role: 'viewer' } } });
    const launch = await call('POST', '/things/launch', { authorization: `Bearer ${VIEWER}` });
    expect(launch.status).toBe(403);
    expect(launch.body.message).toBe('the API key "v" has role viewer; this action needs operator or higher');
  });

  it('lets an operator act, recording who', async () => {
    const launch = await call('POST', '/things/launch', { 'x-api-key': OPERATOR });
    expect(launch).toMatchObject({ status: 201, body: { launchedBy: 'ops' } });
  });

  it('leaves routes without @Authorize open', async () => {
    expect(await call('GET', '/open')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('refuses everything protected when no key is configured, and says so', async () => {
    const bare = await serve('');
    try {
      const response = await fetch(`${bare.url}/things`, { headers: { 'x-api-key': VIEWER } });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { message: string }).message).toMatch(/no API keys are configured.*API_KEYS/);
    } finally {
      await bare.app.close();
    }
  });
});
