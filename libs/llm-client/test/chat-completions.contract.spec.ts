import { execFileSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, type LoggerService } from '@nestjs/common';
import { BreakerRegistry } from '@autocode/resilience';
import { type EphemeralWorkspace, WorkspaceManager } from '@autocode/sandbox';
import { waitUntil } from '@autocode/testing';
import { EgressPolicy } from '@autocode/http';
import { ChatCompletionsClient, type LlmClientOptions, LlmRequestError, llmEnvFields, llmOptionsFrom, requestPatch, UnusablePatchError } from '../src';
import { z } from 'zod';

type Reply = { status?: number; body: string; delayMs?: number };

/**
 * A local HTTP server speaking the chat-completions request/response shape
 * (POST /v1/chat/completions → { choices: [{ message: { content } }] }),
 * scripted per test, as OpenAI, vLLM and Ollama answer it.
 */
class FakeModelServer {
  readonly requests: Array<{ path: string; headers: IncomingHttpHeaders; body: { model: string; messages: Array<{ role: string; content: string }>; temperature: number; max_tokens: number } }> = [];
  reply: (request: FakeModelServer['requests'][number]) => Reply = () => completion('');
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        const request = { path: req.url ?? '', headers: req.headers, body: JSON.parse(raw || '{}') };
        this.requests.push(request);
        const reply = this.reply(request);
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
          res.end(reply.body);
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

function completion(content: string): Reply {
  return { body: JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: 'fake-coder', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 5 } }) };
}

const API_KEY = 'sk-contract-test-secret-key';
const GOOD_DIFF = [
  'diff --git a/src/greet.ts b/src/greet.ts',
  '--- a/src/greet.ts',
  '+++ b/src/greet.ts',
  '@@ -1,3 +1,3 @@',
  ' export function greet(name: string): string {',
  "-  return 'hello ' + name;",
  '+  return `Hello, ${name}!`;',
  ' }',
  '',
].join('\n');

describe('ChatCompletionsClient against a chat-completions server', () => {
  const server = new FakeModelServer();
  const logged: string[] = [];
  let baseUrl: string;
  let dir: string;
  let repo: string;
  let commit: string;
  let workspaces: WorkspaceManager;
  let registry: BreakerRegistry;

  const options = (overrides: Partial<LlmClientOptions> = {}): LlmClientOptions => ({
    baseUrl,
    model: 'fake-coder',
    apiKey: API_KEY,
    timeoutMs: 2000,
    maxAttempts: 3,
    maxTokens: 1000,
    temperature: 0,
    retryDelayMs: 10,
    breaker: { volumeThreshold: 100, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
    // A local model server is on loopback: it must be allowlisted, as EGRESS_ALLOW does for a service.
    egress: EgressPolicy.fromAllowList(new URL(baseUrl).host),
    ...overrides,
  });
  let breakerCount = 0;
  const client = (overrides: Partial<LlmClientOptions> = {}) => new ChatCompletionsClient(options(overrides), registry, `llm-${(breakerCount += 1)}`);

  beforeAll(async () => {
    baseUrl = await server.start();
    const capture: LoggerService = {
      log: (m: unknown) => logged.push(JSON.stringify(m)),
      warn: (m: unknown) => logged.push(JSON.stringify(m)),
      error: (m: unknown) => logged.push(JSON.stringify(m)),
      debug: (m: unknown) => logged.push(JSON.stringify(m)),
      verbose: (m: unknown) => logged.push(JSON.stringify(m)),
    };
    Logger.overrideLogger(capture);
    dir = mkdtempSync(join(tmpdir(), 'llm-contract-'));
    repo = join(dir, 'repo');
    mkdirSync(join(repo, 'src'), { recursive: true });
    writeFileSync(join(repo, 'src/greet.ts'), "export function greet(name: string): string {\n  return 'hello ' + name;\n}\n");
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@autocode.invalid', ...args], { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'greet');
    commit = git('rev-parse', 'HEAD');
    workspaces = new WorkspaceManager({ baseDir: join(dir, 'workspaces') });
  });

  beforeEach(() => {
    server.requests.length = 0;
    registry = new BreakerRegistry();
  });

  afterEach(() => registry.onApplicationShutdown());

  afterAll(async () => {
    Logger.overrideLogger(false);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const withWorkspace = <T>(work: (workspace: EphemeralWorkspace) => Promise<T>) => workspaces.withWorkspace(repo, commit, work);
  const patchRequest = (workspace: EphemeralWorkspace) => ({
    task: { kind: 'lint-finding', title: 'Use a template literal in greet', description: 'String concatenation should be a template literal.' },
    files: [{ path: 'src/greet.ts', content: "export function greet(name: string): string {\n  return 'hello ' + name;\n}\n" }],
    feedback: ['greet must capitalise Hello'],
    round: 2,
    checkPatch: (diff: string) => workspace.checkPatch(diff),
  });

  it('accepts a good diff: the request has the chat-completions shape, the diff applies', async () => {
    server.reply = () => completion(`Here is the change:\n\n\`\`\`diff\n${GOOD_DIFF}\`\`\`\n`);
    const answer = await withWorkspace((workspace) => requestPatch(client(), patchRequest(workspace)));
    expect(answer).toEqual({ diff: GOOD_DIFF, completions: 1, model: 'fake-coder' });

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toMatchObject({ model: 'fake-coder', temperature: 0, max_tokens: 1000 });
    expect(request.body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(request.body.messages[0].content).toContain('unified diff');
    const prompt = request.body.messages[1].content;
    expect(prompt).toContain('Task (lint-finding): Use a template literal in greet');
    expect(prompt).toContain("File src/greet.ts:\n```\nexport function greet(name: string): string {\n  return 'hello ' + name;\n}\n```");
    expect(prompt).toContain('- greet must capitalise Hello');
  });

  it('sends a diff that does not apply back once, with git’s reason, and takes the repaired one', async () => {
    const broken = GOOD_DIFF.replace("-  return 'hello ' + name;", "-  return 'bonjour ' + name;");
    server.reply = () => completion(server.requests.length === 1 ? `\`\`\`diff\n${broken}\`\`\`` : `\`\`\`diff\n${GOOD_DIFF}\`\`\``);
    const answer = await withWorkspace((workspace) => requestPatch(client(), patchRequest(workspace)));
    expect(answer.completions).toBe(2);
    const repairPrompt = server.requests[1].body.messages.at(-1)!.content;
    expect(repairPrompt).toMatch(/^Your diff does not apply: error: patch failed: src\/greet\.ts:1/);
    expect(server.requests[1].body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
  });

  it('gives up with a clear reason when the answer has no diff, or a diff that never applies', async () => {
    server.reply = () => completion('I would rather not change anything.');
    await expect(withWorkspace((workspace) => requestPatch(client(), patchRequest(workspace)))).rejects.toThrow(
      new UnusablePatchError('the model answered without a unified diff (it began: "I would rather not change anything.")', 'no-diff'),
    );
    expect(server.requests).toHaveLength(2);

    server.requests.length = 0;
    server.reply = () => completion(`\`\`\`diff\n${GOOD_DIFF.replace('greet.ts', 'missing.ts').replace('greet.ts', 'missing.ts').replace('greet.ts', 'missing.ts')}\`\`\``);
    const failure = await withWorkspace((workspace) => requestPatch(client(), patchRequest(workspace))).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(UnusablePatchError);
    expect((failure as UnusablePatchError).reason).toBe('does-not-apply');
    expect((failure as Error).message).toContain('src/missing.ts');
  });

  it.each([
    ['not JSON at all', { body: '<html>502 Bad Gateway</html>' }, /not JSON: <html>502 Bad Gateway<\/html>/],
    ['JSON that is not a completion', { body: JSON.stringify({ error: { message: 'model overloaded' } }) }, /not a chat completion: .*model overloaded/],
    ['a completion without content', { body: JSON.stringify({ choices: [{ message: { role: 'assistant', content: null } }] }) }, /not a chat completion/],
  ])('handles a malformed answer (%s): retried, then a clear error', async (_name, reply, message) => {
    server.reply = () => reply;
    const failure = await client().complete([{ role: 'user', content: 'hi' }]).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(LlmRequestError);
    expect(failure).toMatchObject({ kind: 'malformed', retryable: true });
    expect((failure as Error).message).toMatch(message);
    expect(server.requests).toHaveLength(3);
  });

  it('handles a timeout: each attempt is cut at the time limit, then a clear error', async () => {
    server.reply = () => ({ ...completion('late'), delayMs: 5000 });
    const failure = await client({ timeoutMs: 300, maxAttempts: 2 }).complete([{ role: 'user', content: 'hi' }]).catch((e: Error) => e);
    expect(failure).toMatchObject({ kind: 'timeout', retryable: true, message: 'no answer from the model within 300 ms' });
    expect(server.requests).toHaveLength(2);
  });

  it('handles a 500: retried within the budget, then a clear error; a 401 is not retried', async () => {
    server.reply = () => ({ status: 500, body: JSON.stringify({ error: 'internal' }) });
    await expect(client().complete([{ role: 'user', content: 'hi' }])).rejects.toMatchObject({ kind: 'http', status: 500, retryable: true, message: 'the model endpoint answered 500: {"error":"internal"}' });
    expect(server.requests).toHaveLength(3);

    server.requests.length = 0;
    server.reply = (request) => ({ status: 401, body: JSON.stringify({ error: `invalid key ${request.headers.authorization}` }) });
    const refused = await client().complete([{ role: 'user', content: 'hi' }]).catch((e: Error) => e);
    expect(refused).toMatchObject({ kind: 'http', status: 401, retryable: false });
    expect((refused as Error).message).toBe('the model endpoint answered 401: {"error":"invalid key Bearer [redacted]"}');
    expect(server.requests).toHaveLength(1);
  });

  it('opens the breaker after the configured failures, fails fast while open, and closes again once the model answers', async () => {
    const chat = client({ maxAttempts: 1, breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 400 } });
    server.reply = () => ({ status: 503, body: 'overloaded' });
    for (let i = 0; i < 3; i += 1) await expect(chat.complete([{ role: 'user', content: 'hi' }])).rejects.toMatchObject({ kind: 'http', status: 503 });
    expect(chat.circuitState).toBe('open');

    await expect(chat.complete([{ role: 'user', content: 'hi' }])).rejects.toMatchObject({ kind: 'circuit-open', retryable: false });
    expect(server.requests).toHaveLength(3);

    server.reply = () => completion('recovered');
    await waitUntil('the breaker to let a trial request through', () => chat.circuitState === 'half-open', { timeoutMs: 10_000, intervalMs: 50 });
    await expect(chat.complete([{ role: 'user', content: 'hi' }])).resolves.toMatchObject({ content: 'recovered', attempts: 1 });
    expect(chat.circuitState).toBe('closed');
    expect(server.requests).toHaveLength(4);
  });

  it('reaches a loopback model server only when EGRESS_ALLOW names it; a refusal is final and sends nothing', async () => {
    const env = (allow: string | undefined) =>
      z.object(llmEnvFields).parse({ LLM_BASE_URL: baseUrl, LLM_MODEL: 'fake-coder', LLM_MAX_ATTEMPTS: '3', ...(allow === undefined ? {} : { EGRESS_ALLOW: allow }) });
    const denied = new ChatCompletionsClient(llmOptionsFrom(env(''))!, registry, 'llm-egress-denied');
    const failure = await denied.complete([{ role: 'user', content: 'hi' }]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LlmRequestError);
    expect(failure).toMatchObject({ kind: 'egress-denied', retryable: false, message: 'the model endpoint is not reachable: egress denied: 127.0.0.1 is a loopback address (set EGRESS_ALLOW to allow it)' });
    expect(server.requests).toHaveLength(0);
    expect(denied.circuitState).toBe('closed');

    server.reply = () => completion('hello');
    const allowed = new ChatCompletionsClient(llmOptionsFrom(env(new URL(baseUrl).host))!, registry, 'llm-egress-allowed');
    await expect(allowed.complete([{ role: 'user', content: 'hi' }])).resolves.toMatchObject({ content: 'hello', attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it('never logs the API key', () => {
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(API_KEY);
  });
});
