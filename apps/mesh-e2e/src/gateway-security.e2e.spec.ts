import { request as httpRequest } from 'node:http';
import { deleteNamespaceTopics, Mesh, meshEnv, ServiceProcess, TEST_API_KEYS, TEST_INFRA, TEST_KEY_NAMES, testNamespace, waitUntil } from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { createEmptyRepo } from './sample-repo';

interface AuditEntryView {
  actor: string;
  role: string | null;
  client: string;
  method: string;
  route: string;
  path: string;
  status: number;
  outcome: string;
  at: string;
}

/** A request with headers fetch will not send as given (Host), over plain node:http. */
function rawRequest(url: string, options: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method, headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Every attack on the REST gateway named in the trust-boundaries issue, tried against a real orchestrator. */
describe('REST gateway security', () => {
  const namespace = testNamespace('gate');
  let repo: ReturnType<typeof createEmptyRepo>;
  let mesh: Mesh;
  let admin: OrchestratorApi;
  let operator: OrchestratorApi;
  let viewer: OrchestratorApi;
  let anonymous: OrchestratorApi;

  beforeAll(async () => {
    repo = createEmptyRepo();
    mesh = await Mesh.start({ namespace, targetRepository: repo.path, services: ['orchestrator'], env: { orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' } } });
    admin = new OrchestratorApi(mesh.orchestratorUrl);
    operator = admin.as(TEST_API_KEYS.operator);
    viewer = admin.as(TEST_API_KEYS.viewer);
    anonymous = admin.as(null);
    await waitUntil('delay to be known', async () => (await viewer.get<{ items: Array<{ name: string }> }>('/api/task-types')).body.items.some((t) => t.name === 'delay'));
  });

  afterAll(async () => {
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    repo?.remove();
  });

  it('refuses every documented route to an anonymous caller except health and the docs', async () => {
    const document = await anonymous.get<{ paths: Record<string, Record<string, unknown>> }>('/api/openapi.json');
    expect(document.status).toBe(200);
    const routes = Object.entries(document.body.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => [method.toUpperCase(), path] as const));
    // The controllers' routes (tasks, workflows, queue, schedules, triggers, live events, audit, health): about forty.
    expect(routes.length).toBeGreaterThanOrEqual(40);
    const open: string[] = [];
    const wrong: string[] = [];
    for (const [method, template] of routes) {
      const path = template.replace(/\{[^}]+\}/g, 'x');
      const { status } = await anonymous.send(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      if (template.startsWith('/health/')) open.push(`${method} ${template}`);
      else if (status !== 401) wrong.push(`${method} ${template} → ${status}`);
    }
    expect(wrong).toEqual([]);
    expect(open.sort()).toEqual(['GET /health/live', 'GET /health/ready']);
    expect((await anonymous.get('/health/ready')).status).toBe(200);
  });

  it('anonymous POST /api/tasks of type deploy → 401 naming the missing key, and no task is created', async () => {
    const attempt = await anonymous.post('/api/tasks', { type: 'deploy', params: { repository: repo.path, commit: 'HEAD', patch: 'diff', environment: 'development', title: 'x' } });
    expect(attempt.status).toBe(401);
    expect(attempt.body.message).toMatch(/API key with role operator or higher is required/);
    const wrongKey = await admin.as('not-a-real-key-0123456789').post('/api/tasks', { type: 'deploy' });
    expect(wrongKey).toMatchObject({ status: 401, body: { message: 'the API key is not valid' } });
    const listed = await admin.get<{ items: TaskView[] }>('/api/tasks?type=deploy');
    expect(listed.body.items).toEqual([]);
  });

  it('a viewer may read but not act (403 naming the role it has and the one needed)', async () => {
    expect((await viewer.get('/api/queue')).status).toBe(200);
    const act = await viewer.post('/api/queue/pause', {});
    expect(act.status).toBe(403);
    expect(act.body.message).toBe(`the API key "${TEST_KEY_NAMES.viewer}" has role viewer; this action needs operator or higher`);
    expect((await viewer.post('/api/tasks', { type: 'delay', params: { seconds: 0 } })).status).toBe(403);
    expect((await admin.get<{ paused: Record<string, boolean> }>('/api/queue')).body.paused).not.toHaveProperty('utility', true);
  });

  it('an operator may not register a workflow definition (admin only); an admin may', async () => {
    const definition = { name: 'gate-check', nodes: [{ id: 'wait', type: 'delay', params: { seconds: 0 } }] };
    const refused = await operator.post('/api/workflows', definition);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/has role operator; this action needs admin/);
    const names = async () => (await admin.get<{ items: Array<{ name: string }> }>('/api/workflows')).body.items.map((w) => w.name);
    expect(await names()).not.toContain(definition.name);
    const registered = await admin.post('/api/workflows', definition);
    expect(registered.status).toBe(201);
    expect(await names()).toContain(definition.name);
  });

  it('a cross-origin text/plain POST to pause the queue → 415, and nothing is paused', async () => {
    for (const caller of [anonymous, operator]) {
      const attempt = await caller.send('POST', '/api/queue/pause', '{}', true, { 'content-type': 'text/plain', origin: 'https://evil.example.com' });
      expect(attempt.status).toBe(415);
      expect(attempt.body.message).toMatch(/must be application\/json, not "text\/plain"/);
    }
    const { body } = await admin.get<{ paused: Record<string, boolean> }>('/api/queue');
    expect(Object.values(body.paused).some(Boolean)).toBe(false);
  });

  it('sends no CORS headers when no origin is configured', async () => {
    const response = await fetch(`${mesh.orchestratorUrl}/api/queue`, { headers: { ...admin.authHeaders, origin: 'https://evil.example.com' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a Host it does not serve (DNS rebinding) with 421 naming the host', async () => {
    const refused = await rawRequest(`${mesh.orchestratorUrl}/api/queue`, { method: 'GET', headers: { host: 'rebound.evil.example.com', 'x-api-key': TEST_API_KEYS.admin } });
    expect(refused.status).toBe(421);
    expect(refused.body).toContain('rebound.evil.example.com');
    const local = await rawRequest(`${mesh.orchestratorUrl}/api/queue`, { method: 'GET', headers: { host: `localhost:${mesh.service('orchestrator').port}`, 'x-api-key': TEST_API_KEYS.admin } });
    expect(local.status).toBe(200);
  });

  it('answers a lone surrogate and 3,000-deep JSON with 400 naming the problem', async () => {
    const surrogate = await operator.send('POST', '/api/tasks', '{"type":"delay","params":{"seconds":0},"correlationId":"\\ud800"}', true);
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.message).toMatch(/lone surrogate/);
    const deep = await operator.send('POST', '/api/tasks', `{"type":"delay","params":{"seconds":0,"x":${'['.repeat(3000)}${']'.repeat(3000)}}}`, true);
    expect(deep.status).toBe(400);
    expect(deep.body.message).toMatch(/nested deeper than/);
  });

  it('refuses server-sent events without a key (401) and streams them with one', async () => {
    const refused = await fetch(`${mesh.orchestratorUrl}/api/events`);
    expect(refused.status).toBe(401);
    const controller = new AbortController();
    const allowed = await fetch(`${mesh.orchestratorUrl}/api/events?kinds=lifecycle`, { headers: viewer.authHeaders, signal: controller.signal });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-type')).toContain('text/event-stream');
    controller.abort();
  });

  it('audits mutations with the key name, client address, route and outcome; task trails name the key', async () => {
    const since = new Date().toISOString();
    const task = await operator.createTask({ type: 'delay', params: { seconds: 0 } });
    await operator.post(`/api/tasks/${task.id}/cancel`, { reason: 'audit check' });
    await anonymous.post('/api/queue/resume', {});
    await viewer.post('/api/queue/resume', {});

    const entries = await waitUntil('the four mutations to be audited', async () => {
      const { status, body } = await operator.get<{ items: AuditEntryView[] }>(`/api/audit?since=${encodeURIComponent(since)}&limit=50`);
      expect(status).toBe(200);
      return body.items.length >= 4 ? body.items : undefined;
    });
    expect(entries.find((e) => e.route === '/api/tasks' && e.method === 'POST')).toMatchObject({
      actor: TEST_KEY_NAMES.operator,
      role: 'operator',
      client: expect.stringMatching(/127\.0\.0\.1$/),
      status: 201,
      outcome: 'succeeded',
    });
    expect(entries.find((e) => e.route === '/api/tasks/:id/cancel')).toMatchObject({ actor: TEST_KEY_NAMES.operator, path: `/api/tasks/${task.id}/cancel` });
    expect(entries.filter((e) => e.route === '/api/queue/resume').map((e) => [e.actor, e.status, e.outcome]).sort()).toEqual([
      ['anonymous', 401, 'refused'],
      [TEST_KEY_NAMES.viewer, 403, 'refused'],
    ]);
    // Filters: by actor, by route; reads are not audited.
    const byActor = await admin.get<{ items: AuditEntryView[] }>(`/api/audit?actor=${TEST_KEY_NAMES.viewer}&since=${encodeURIComponent(since)}`);
    expect(byActor.body.items.map((e) => e.route)).toEqual(['/api/queue/resume']);
    const byRoute = await admin.get<{ items: AuditEntryView[]; nextOffset: number | null }>(`/api/audit?route=/api/tasks&since=${encodeURIComponent(since)}&limit=1`);
    expect(byRoute.body.items).toHaveLength(1);
    expect(byRoute.body.nextOffset).not.toBeNull();
    expect(entries.every((e) => e.method !== 'GET')).toBe(true);
    expect((await viewer.get('/api/audit')).status).toBe(403);

    const trail = (await admin.task(task.id)).history;
    expect(trail.filter((t) => t.source === 'api').map((t) => t.actor)).toEqual(expect.arrayContaining([TEST_KEY_NAMES.operator]));
    expect(trail.some((t) => t.actor === 'api')).toBe(false);
  });

  describe('a gateway with limits, extra hosts and CORS configured', () => {
    let limited: ServiceProcess;

    beforeAll(async () => {
      limited = await ServiceProcess.start('orchestrator', {
        ...meshEnv(namespace, repo.path),
        INSTANCE_ID: `orchestrator-limited-${namespace}`,
        CYCLE_INTERVAL_MINUTES: '0',
        WATCH_GLOBS: '',
        RATE_LIMIT_WINDOW_SECONDS: '600',
        RATE_LIMIT_PER_KEY: '5',
        HTTP_ALLOWED_HOSTS: 'gateway.example.org',
        HTTP_CORS_ORIGINS: 'https://app.example.org',
      });
    });
    afterAll(async () => {
      await limited?.stop();
    });

    it('answers past the per-key budget with 429 and Retry-After, other keys unaffected', async () => {
      const api = new OrchestratorApi(limited.url, TEST_API_KEYS.viewer);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await api.get('/api/queue')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const response = await fetch(`${limited.url}/api/queue`, { headers: api.authHeaders });
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await response.json()) as { message: string }).message).toMatch(/this API key may make 5 requests per 600 s/);
      expect((await new OrchestratorApi(limited.url, TEST_API_KEYS.operator).get('/api/queue')).status).toBe(200);
    });

    it('answers to the configured host, and allows only the configured browser origin', async () => {
      // Four requests: within the admin key's budget of five on this instance.
      const headers = { 'x-api-key': TEST_API_KEYS.admin };
      expect((await rawRequest(`${limited.url}/api/task-types`, { method: 'GET', headers: { ...headers, host: 'gateway.example.org' } })).status).toBe(200);
      expect((await rawRequest(`${limited.url}/api/task-types`, { method: 'GET', headers: { ...headers, host: 'other.example.org' } })).status).toBe(421);
      const allowed = await fetch(`${limited.url}/api/task-types`, { headers: { ...headers, origin: 'https://app.example.org' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.org');
      const foreign = await fetch(`${limited.url}/api/task-types`, { headers: { ...headers, origin: 'https://evil.example.com' } });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
