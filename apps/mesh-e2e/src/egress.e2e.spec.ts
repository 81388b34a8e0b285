import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOPICS } from '@autocode/contracts';
import { deleteNamespaceTopics, Mesh, publishRaw, TEST_INFRA, testNamespace, TopicObserver, waitUntil } from '@autocode/testing';
import { OrchestratorApi, type RunView } from './orchestrator-api';
import { createEmptyRepo } from './sample-repo';

/** A loopback server that records every request it gets. */
class RecordingServer {
  readonly requests: string[] = [];
  port = 0;
  private server?: Server;

  constructor(private readonly handle: (req: IncomingMessage, res: ServerResponse) => void) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

interface DeadLetterView {
  payload: { reason: string; category: string; valueBase64: string };
}

/**
 * The egress policy, as an attacker would try it: workflows whose
 * http_request or notify nodes point at metadata, private, mapped-IPv6 or
 * file URLs are refused at registration, naming the node; a host name that
 * resolves to loopback is refused at run time, after DNS, before any
 * connection; a redirect out of the allowlist is refused; triggers naming
 * a remote helper or an internal git URL are refused. No request in this
 * spec goes to a non-loopback address: those are refused before a socket
 * is opened, and the assertions are on the refusal's reason.
 */
describe('egress policy', () => {
  const namespace = testNamespace('egress');
  const observer = TopicObserver.create(TEST_INFRA.kafkaBrokers, namespace);
  const secret = new RecordingServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"secret":"internal"}'));
  let allowed: RecordingServer;
  let repo: ReturnType<typeof createEmptyRepo>;
  let mesh: Mesh;
  let api: OrchestratorApi;

  beforeAll(async () => {
    repo = createEmptyRepo();
    await secret.start();
    // Allowlisted: answers /ok, redirects /to-secret to the server nobody allowed.
    allowed = await new RecordingServer((req, res) => {
      if (req.url === '/to-secret') return res.writeHead(302, { location: `http://localhost:${secret.port}/after-redirect` }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }).start();
    await observer.start([TOPICS.deadLetter, TOPICS.triggerRequested]);
    mesh = await Mesh.start({
      namespace,
      targetRepository: repo.path,
      services: ['orchestrator'],
      env: { orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '', EGRESS_ALLOW: `127.0.0.1:${allowed.port}` } },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    await waitUntil('http_request and notify to be known', async () => {
      const { body } = await api.get<{ items: Array<{ name: string }> }>('/api/task-types');
      return ['http_request', 'notify'].every((t) => body.items.some((i) => i.name === t));
    });
  });

  afterAll(async () => {
    await mesh?.stop();
    await observer.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    await secret.stop();
    await allowed?.stop();
    repo?.remove();
  });

  const runTo = async (name: string, url: string): Promise<RunView> => {
    const registered = await api.post('/api/workflows', { name, nodes: [{ id: 'fetch', type: 'http_request', params: { url } }] });
    expect(registered.status).toBe(201);
    const started = await api.post(`/api/workflows/${name}/runs`, { params: {} });
    expect(started.status).toBe(201);
    return api.waitForRun((started.body as { id: string }).id, 60_000);
  };

  it.each([
    ['the metadata address', 'http://169.254.169.254/latest/meta-data/iam/', 'params.url: egress denied: 169.254.169.254 is a cloud metadata address'],
    ['its decimal spelling', 'http://2852039166/latest/meta-data/', 'params.url: egress denied: 169.254.169.254 is a cloud metadata address'],
    ['a private address', 'http://10.0.0.1/admin', 'params.url: egress denied: 10.0.0.1 is a private address (set EGRESS_ALLOW to allow it)'],
    ['an IPv4-mapped metadata address', 'http://[::ffff:169.254.169.254]/latest/meta-data/', 'params.url: egress denied: ::ffff:a9fe:a9fe (169.254.169.254) is a cloud metadata address'],
    ['a file URL', 'file:///etc/passwd', 'params.url: egress denied: file: URLs are not allowed (only http and https)'],
    ['a gopher URL', 'gopher://127.0.0.1:6379/_FLUSHALL', 'params.url: egress denied: gopher: URLs are not allowed'],
  ])('refuses a workflow whose http_request targets %s at registration, naming the node', async (_what, url, reason) => {
    const name = `steal-${randomUUID().slice(0, 8)}`;
    const { status, body } = await api.post('/api/workflows', { name, nodes: [{ id: 'ok', type: 'delay', params: { seconds: 0 } }, { id: 'steal', type: 'http_request', params: { url } }] });
    expect(status).toBe(400);
    expect(body.problems).toEqual([expect.stringContaining(`node "steal": ${reason}`)]);
    expect((await api.get(`/api/workflows/${name}`)).status).toBe(404);
  });

  it('refuses a task created directly whose http_request or notify URL is internal', async () => {
    const direct = await api.post('/api/tasks', { type: 'http_request', params: { url: 'http://[::ffff:10.0.0.1]:6379/' } });
    expect(direct.status).toBe(400);
    expect(JSON.stringify(direct.body)).toContain('params.url: egress denied: ::ffff:a00:1 (10.0.0.1) is a private address (set EGRESS_ALLOW to allow it)');
    const hook = await api.post('/api/tasks', { type: 'notify', params: { webhookUrl: 'file:///etc/shadow', text: 'hi' } });
    expect(hook.status).toBe(400);
    expect(JSON.stringify(hook.body)).toContain('params.webhookUrl: egress denied: file: URLs are not allowed (only http and https)');
  });

  it('refuses a notify node whose webhook is internal, at registration', async () => {
    const { status, body } = await api.post('/api/workflows', { name: `hook-${randomUUID().slice(0, 8)}`, nodes: [{ id: 'tell', type: 'notify', params: { webhookUrl: 'http://192.168.1.1/hook', text: 'hi' } }] });
    expect(status).toBe(400);
    expect(body.problems).toEqual(['node "tell": params.webhookUrl: egress denied: 192.168.1.1 is a private address (set EGRESS_ALLOW to allow it)']);
  });

  it('fails a run whose http_request names a host that resolves to loopback, after DNS, and the server sees nothing', async () => {
    const run = await runTo(`rebind-${randomUUID().slice(0, 8)}`, `http://localhost:${secret.port}/secret`);
    expect(run.status).toBe('FAILED');
    const task = await api.task(run.nodes.find((n) => n.nodeId === 'fetch')!.taskId!);
    expect(task).toMatchObject({ state: 'FAILED', attempt: 1, error: { retryable: false, message: expect.stringContaining(`egress denied: localhost resolves to 127.0.0.1, a loopback address (set EGRESS_ALLOW to allow it)`) } });
    expect(JSON.stringify(task.output ?? null)).not.toContain('internal');
    expect(secret.requests).toEqual([]);
  });

  it('reaches an allowlisted server, but refuses its redirect to one that is not', async () => {
    const ok = await runTo(`allowed-${randomUUID().slice(0, 8)}`, `http://127.0.0.1:${allowed.port}/ok`);
    expect(ok.status).toBe('SUCCESS');
    expect(ok.nodes[0].output).toMatchObject({ status: 200, json: { ok: true } });

    const redirected = await runTo(`redirect-${randomUUID().slice(0, 8)}`, `http://127.0.0.1:${allowed.port}/to-secret`);
    expect(redirected.status).toBe('FAILED');
    const task = await api.task(redirected.nodes[0].taskId!);
    expect(task).toMatchObject({ state: 'FAILED', error: { retryable: false, message: expect.stringContaining('egress denied: localhost resolves to 127.0.0.1, a loopback address') } });
    expect(allowed.requests).toEqual(['GET /ok', 'GET /to-secret']);
    expect(secret.requests).toEqual([]);
  });

  it.each([
    ['a remote helper that runs a command', 'ext::sh -c touch% /tmp/egress-pwned', 'body.repository: git remote helpers ("ext::") are not allowed'],
    ['a file-descriptor helper', 'fd::3', 'body.repository: git remote helpers ("fd::") are not allowed'],
    ['an option for git', '-uhelp', 'must not start with "-" (git would read it as an option)'],
    ['an internal http URL', 'http://10.0.0.1/x.git', 'scheme http not allowed (REPOSITORY_ALLOWED_SCHEMES: file, https)'],
    ['an internal https URL', 'https://10.0.0.1/x.git', 'host 10.0.0.1 not allowed (REPOSITORY_ALLOWED_HOSTS: github.com, gitlab.com, bitbucket.org, codeberg.org)'],
    ['credentials in the URL', 'https://user:hunter2@github.com/acme/app.git', 'must not carry credentials'],
  ])('refuses a trigger whose repository is %s, recording nothing', async (_what, repository, reason) => {
    const before = (await api.get<{ total: number }>('/api/triggers')).body.total;
    const { status, body } = await api.post('/api/trigger-generation', { reason: 'egress e2e', repository });
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain(JSON.stringify(reason).slice(1, -1));
    expect((await api.get<{ total: number }>('/api/triggers')).body.total).toBe(before);
  });

  it('dead-letters a Kafka trigger naming an internal git URL, with the reason', async () => {
    const envelope = JSON.stringify({
      id: randomUUID(),
      type: 'trigger.requested',
      schemaVersion: 1,
      occurredAt: new Date().toISOString(),
      correlationId: 'egress-e2e',
      causationId: null,
      producer: 'e2e',
      payload: { reason: 'from kafka', repository: 'https://169.254.169.254/x.git' },
    });
    await publishRaw(TEST_INFRA.kafkaBrokers, observer.physical(TOPICS.triggerRequested), [envelope]);
    const dead = await observer.waitFor('the dead letter of the trigger', (m) => {
      const payload = (m.json as DeadLetterView | null)?.payload;
      return m.topic === TOPICS.deadLetter && Buffer.from(payload?.valueBase64 ?? '', 'base64').toString() === envelope;
    });
    const payload = (dead.json as DeadLetterView).payload;
    expect(payload.category).toBe('handler-failed');
    expect(payload.reason).toContain('repository "https://169.254.169.254/x.git" is not allowed: host 169.254.169.254 not allowed');
  });
});
