import 'reflect-metadata';
import { Controller, Get, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { AuthModule, Authorize, parseApiKeysEnv, Public, type AuthModuleOptions } from '../src';

@Controller('plain')
class UndecoratedController {
  @Get()
  read(): { ok: true } {
    return { ok: true };
  }

  @Post('act')
  @Authorize('operator')
  act(): { acted: true } {
    return { acted: true };
  }

  @Get('open')
  @Public()
  open(): { open: true } {
    return { open: true };
  }
}

@Controller('probe')
class ProbeController {
  @Get()
  probe(): { alive: true } {
    return { alive: true };
  }
}

const VIEWER = randomBytes(18).toString('base64url');
const OPERATOR = randomBytes(18).toString('base64url');

async function serve(options: AuthModuleOptions): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [AuthModule.forRoot(parseApiKeysEnv(`v:viewer:${VIEWER},ops:operator:${OPERATOR}`), options)],
    controllers: [UndecoratedController, ProbeController],
  })
  class TestModule {}
  const app = await NestFactory.create(TestModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

const call = async (url: string, method: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { method, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
};

describe('AuthModule with a default role (secure by default)', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await serve({ defaultRole: 'viewer', publicControllers: [ProbeController] }));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses an undecorated route to anonymous callers and lets a viewer in', async () => {
    const anonymous = await call(`${url}/plain`, 'GET');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toMatch(/role viewer or higher is required/);
    expect((await call(`${url}/plain`, 'GET', { 'x-api-key': VIEWER })).status).toBe(200);
  });

  it('still applies a declared role over the default', async () => {
    expect((await call(`${url}/plain/act`, 'POST', { 'x-api-key': VIEWER })).status).toBe(403);
    expect((await call(`${url}/plain/act`, 'POST', { 'x-api-key': OPERATOR })).status).toBe(201);
  });

  it('leaves @Public() routes and public controllers open', async () => {
    expect(await call(`${url}/plain/open`, 'GET')).toMatchObject({ status: 200, body: { open: true } });
    expect(await call(`${url}/probe`, 'GET')).toMatchObject({ status: 200, body: { alive: true } });
  });
});

describe('AuthModule rate limits', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await serve({ defaultRole: 'viewer', publicControllers: [ProbeController], rateLimits: { windowSeconds: 600, perKey: 3, perClient: 8 } }));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('counts one budget per key over every route and answers 429 with Retry-After', async () => {
    const statuses = [];
    for (const path of ['/plain', '/plain/open', '/probe']) statuses.push((await call(`${url}${path}`, 'GET', { 'x-api-key': VIEWER })).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await call(`${url}/plain`, 'GET', { 'x-api-key': VIEWER });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.message).toMatch(/this API key may make 3 requests per 600 s/);
    // Another key has its own budget.
    expect((await call(`${url}/plain`, 'GET', { 'x-api-key': OPERATOR })).status).toBe(200);
  });

  it('limits a client address whatever keys it sends, anonymous ones too', async () => {
    // 5 requests so far from this address; the client budget is 8.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await call(`${url}/plain`, 'GET', { 'x-api-key': randomBytes(18).toString('base64url') })).status);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses[3]).toBe(429);
    const anonymous = await call(`${url}/probe`, 'GET');
    expect(anonymous.status).toBe(429);
    expect(anonymous.body.message).toMatch(/this client address may make 8 requests/);
  });
});
