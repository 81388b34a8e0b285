/**
 * HTTP fuzz of the orchestrator's REST gateway: every operation of its own
 * OpenAPI document, called with random and malformed bodies, path and query
 * parameters and headers (a bounded number of requests, loopback only).
 * Prints the responses by status class and every 5xx (the target is none),
 * then checks the orchestrator is still ready.
 *
 *   bash tools/bench/run.sh fuzz/http-fuzz [--requests=3000] [--seed=1]
 */
import { Agent, request as httpRequest } from 'node:http';
import { TEST_API_KEYS } from '@autocode/testing';
import { runBench, withBenchMesh } from '../bench-kit';
import { argument } from '../stats';

const REQUESTS = argument('requests', 3000);
const SEED = argument('seed', 1);
/** A request that has not answered by then counts as a hang (as bad as a 5xx). */
const REQUEST_TIMEOUT_MS = 10_000;
/** The services' JSON body limit (libs/runtime run-service). */
const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
};

interface Operation {
  method: string;
  path: string;
  query: Array<{ name: string; schema: Schema }>;
  body?: Schema;
}

interface Outcome {
  status: number;
  body: string;
}

/** mulberry32: a seeded generator, so a failing run can be repeated with its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(SEED);
const chance = (p: number) => rand() < p;
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
const integer = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));

const NASTY_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  'null',
  'undefined',
  'true',
  '__proto__',
  'constructor',
  '../../../etc/passwd',
  '%2e%2e%2f',
  '%00',
  '\u0000',
  '\ud800',
  '\udfff',
  '😀',
  'Ω≈ç√',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  'tsk_doesnotexist0',
  'run_doesnotexist0',
  'trg_doesnotexist0',
  'noop',
  'delay',
  'CRITICAL',
  'COMPLETED',
  '2026-12-01T00:00:00Z',
  'http://169.254.169.254/latest/meta-data',
  'file:///etc/shadow',
  '1e309',
  'NaN',
  '*/5 * * * *',
  '(a+)+$',
];

function randomString(): string {
  if (chance(0.6)) return pick(NASTY_STRINGS);
  const length = chance(0.05) ? integer(1000, 200_000) : integer(1, 40);
  const alphabet = chance(0.5) ? 'abcdefghijklmnopqrstuvwxyz0123456789-_' : 'aZ9_-.:/?#[]@!$&\'()*+,;=%"\\ \t\n\u00e9\u4e2d\ud83d\ude00';
  let text = '';
  for (let i = 0; i < length; i += 1) text += alphabet[integer(0, alphabet.length - 1)];
  return text;
}

function randomNumber(): number {
  return pick([0, -1, 1, 0.5, -0.0, 2 ** 31, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, 1e308, integer(-1000, 1000)]);
}

/** An own property even for "__proto__", so JSON.stringify sends it as a key. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

function randomJson(depth = 0): unknown {
  const roll = rand();
  if (depth > 4 || roll < 0.3) return pick([null, true, false, randomNumber(), randomString()]);
  if (roll < 0.6) return Array.from({ length: integer(0, 5) }, () => randomJson(depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = integer(0, 6); i > 0; i -= 1) setOwn(object, randomString().slice(0, 50), randomJson(depth + 1));
  return object;
}

/** A value shaped by the schema, with wrong types, out-of-range numbers and extra fields mixed in. */
function fromSchema(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 6 || chance(0.08)) return randomJson(depth);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fromSchema(pick(alternatives), depth);
  if (schema.enum?.length) return chance(0.9) ? pick(schema.enum) : randomString();
  const type = Array.isArray(schema.type) ? pick(schema.type) : schema.type;
  switch (type) {
    case 'object': {
      const object: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(name) ? chance(0.95) : chance(0.6)) object[name] = fromSchema(property, depth + 1);
      }
      if (chance(0.1)) setOwn(object, randomString().slice(0, 30), randomJson(depth + 1));
      return object;
    }
    case 'array':
      return Array.from({ length: chance(0.05) ? integer(100, 2000) : integer(0, 4) }, () => fromSchema(schema.items, depth + 1));
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? -1000;
      const max = schema.maximum ?? 1000;
      return chance(0.7) ? integer(Math.max(min, -1e6), Math.min(max, 1e6)) : randomNumber();
    }
    case 'boolean':
      return chance(0.9) ? chance(0.5) : pick(['true', 1, null]);
    case 'string':
      return randomString();
    default:
      return randomJson(depth);
  }
}

/** A body text: mostly JSON shaped by the schema, sometimes malformed, deep, or with escapes JSON.parse accepts but UTF-8 cannot hold. */
function bodyText(schema: Schema | undefined): string {
  const roll = rand();
  if (roll < 0.05) return `${'['.repeat(integer(50, 5000))}${']'.repeat(integer(0, 5000))}`;
  if (roll < 0.1) return JSON.stringify(fromSchema(schema)).replace(/"(?=[a-z])/, '"\\ud800');
  if (roll < 0.15) return JSON.stringify(fromSchema(schema)).slice(0, integer(0, 30));
  if (roll < 0.18) return pick(['', 'null', '""', '[]', '1', '{"a":1,"a":2}', '{"__proto__":{"polluted":true}}', '\u0000', 'x'.repeat(integer(1, 5000))]);
  return JSON.stringify(fromSchema(schema));
}

/** Percent-encodes, sending a lone surrogate as the invalid UTF-8 bytes it would be (encodeURIComponent throws on it). */
function encode(text: string): string {
  return text
    .split(/([\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])/)
    .map((part) => (part.length === 1 && /[\ud800-\udfff]/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

/** Ids the gateway handed out during the fuzz, so later requests reach real records (and their state machines). */
const knownIds: string[] = ['generation-cycle', 'fz-schedule'];

function pathValue(): string {
  if (knownIds.length && chance(0.35)) return encode(pick(knownIds));
  return encode(chance(0.3) ? pick(['tsk_', 'run_', 'trg_', '']) + randomString().slice(0, 80) : randomString().slice(0, 300));
}

function collectIds(body: string): void {
  for (const match of body.matchAll(/"((?:tsk|run|trg)_[A-Za-z0-9_-]{6,64})"/g)) if (knownIds.length < 500 && !knownIds.includes(match[1])) knownIds.push(match[1]);
}

/** Bodies each route accepts, to mutate one part of: random bodies rarely get past validation to the logic behind it. */
const SEEDS: Record<string, unknown[]> = {
  'POST /api/tasks': [{ type: 'noop' }, { type: 'delay', params: { seconds: 0 } }, { type: 'noop', priority: 'LOW', scheduledFor: '2030-01-01T00:00:00Z' }],
  'POST /api/tasks/bulk': [{ tasks: [{ type: 'noop' }, { type: 'delay', params: { seconds: 0 } }] }],
  'POST /api/schedules': [{ id: 'fz-schedule', timing: { kind: 'interval', everyMs: 3_600_000 }, target: { kind: 'task', task: { type: 'noop' } }, enabled: false }],
  'PATCH /api/schedules/{id}': [{ enabled: false }, { timing: { kind: 'cron', expression: '0 0 1 1 *' } }],
  'POST /api/workflows': [{ name: 'fz-flow', nodes: [{ id: 'a', type: 'noop' }, { id: 'b', type: 'delay', params: { seconds: 0 }, dependsOn: ['a'] }] }],
  'POST /api/workflows/{name}/runs': [{}, { params: {} }],
  'POST /api/trigger-generation': [{}, { reason: 'fuzz', lookbackHours: 1 }],
  'POST /api/queue/pause': [{}, { pools: ['utility'] }],
  'POST /api/queue/resume': [{}, { pools: ['utility'] }],
};

/** A copy of the seed with one part replaced, removed, or given a wrong type. */
function mutate(seed: unknown, schema: Schema | undefined): unknown {
  const copy = JSON.parse(JSON.stringify(seed)) as unknown;
  const containers: Array<Record<string, unknown> | unknown[]> = [];
  const walk = (value: unknown) => {
    if (value && typeof value === 'object') {
      containers.push(value as Record<string, unknown>);
      Object.values(value).forEach(walk);
    }
  };
  walk(copy);
  if (!containers.length || chance(0.1)) return chance(0.5) ? copy : fromSchema(schema);
  const target = pick(containers);
  const keys = Object.keys(target);
  const key = keys.length && chance(0.8) ? pick(keys) : randomString().slice(0, 20);
  if (chance(0.2) && !Array.isArray(target)) delete (target as Record<string, unknown>)[key];
  else setOwn(target as Record<string, unknown>, key, chance(0.5) ? randomJson(2) : pick([null, '', 0, -1, [], {}, randomString()]));
  return copy;
}

/** Node refuses to send a header value outside printable ASCII; such bytes become "?". */
const headerSafe = (value: string) => value.replace(/[^\x20-\x7e]/g, '?');

function headers(hasBody: boolean, length: number): Record<string, string> {
  const result: Record<string, string> = {};
  const auth = rand();
  if (auth < 0.75) result['x-api-key'] = TEST_API_KEYS.admin;
  else if (auth < 0.82) result.authorization = `Bearer ${headerSafe(pick([TEST_API_KEYS.operator, TEST_API_KEYS.viewer, randomString().slice(0, 100)]))}`;
  else if (auth < 0.9) result['x-api-key'] = headerSafe(randomString().slice(0, 300));
  if (hasBody) {
    result['content-type'] = chance(0.85) ? pick(['application/json', 'application/json; charset=utf-8']) : pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/jsonx', '']);
    result['content-length'] = String(length);
  }
  if (chance(0.05)) result.host = pick(['evil.example.com', 'localhost', '', '[::1]:1', 'a'.repeat(300)]);
  if (chance(0.05)) result.origin = 'https://evil.example.com';
  if (chance(0.03)) result['accept'] = 'text/event-stream';
  if (chance(0.03)) result['x-forwarded-for'] = '10.0.0.1';
  return result;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

function send(base: string, method: string, path: string, headerValues: Record<string, string>, body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const url = new URL(path, base);
    const request = httpRequest(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers: headerValues, agent, timeout: REQUEST_TIMEOUT_MS },
      (response) => {
        const status = response.statusCode ?? 0;
        if (String(response.headers['content-type']).includes('text/event-stream')) {
          // A live stream answered; it would never end by itself.
          request.destroy();
          resolve({ status, body: '(event stream)' });
          return;
        }
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => text.length < 2000 && (text += chunk));
        response.on('end', () => resolve({ status, body: text }));
        response.on('error', () => resolve({ status, body: text }));
      },
    );
    request.on('timeout', () => {
      request.destroy();
      resolve({ status: -1, body: 'no answer in time' });
    });
    request.on('error', (error) => resolve({ status: -2, body: `connection error: ${error.message}` }));
    request.end(body);
  });
}

function operations(document: { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema?: Schema }>; requestBody?: { content?: Record<string, { schema?: Schema }> } }>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
      body: operation.requestBody?.content?.['application/json']?.schema,
    })),
  );
}

async function main(): Promise<void> {
  await withBenchMesh('fuzz', {}, async ({ base }) => {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) throw new Error(`refusing to fuzz a non-loopback address: ${base}`);
    const ops = operations((await (await fetch(`${base}/api/openapi.json`)).json()) as Parameters<typeof operations>[0]);
    console.log(`fuzzing ${ops.length} operations with ${REQUESTS} requests (seed ${SEED})`);

    const byClass = new Map<string, number>();
    const byOperation = new Map<string, Map<number, number>>();
    const serverErrors: string[] = [];
    const started = Date.now();
    for (let i = 0; i < REQUESTS; i += 1) {
      const operation = ops[i % ops.length];
      let path = operation.path.replace(/\{[^}]+\}/g, () => pathValue());
      const query = operation.query.filter(() => chance(0.5)).map((q) => `${encode(q.name)}=${encode(asText(fromSchema(q.schema)).slice(0, 500))}`);
      if (chance(0.1)) query.push(`${encode(randomString().slice(0, 20))}=${encode(randomString().slice(0, 50))}`);
      if (chance(0.05)) query.push('a[b][c][d][e][f]=1', 'limit=1&limit=2');
      if (query.length) path += `?${query.join('&')}`;
      const method = chance(0.03) ? pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']) : operation.method;
      const withBody = method !== 'GET' && method !== 'HEAD' && (operation.body !== undefined || chance(0.5));
      const seeds = SEEDS[`${operation.method} ${operation.path}`];
      const body = withBody ? (seeds && chance(0.5) ? JSON.stringify(chance(0.3) ? pick(seeds) : mutate(pick(seeds), operation.body)) : bodyText(operation.body)) : undefined;
      const bytes = Buffer.byteLength(body ?? '');
      const outcome = await send(base, method, path, headers(withBody, bytes), body);
      if (outcome.status >= 200 && outcome.status < 300) collectIds(outcome.body);
      // Past the body limit the server answers 413 and closes while the client still uploads, which the client may see as a reset.
      const oversized = outcome.status === -2 && bytes > BODY_LIMIT_BYTES;
      const statusClass = oversized ? '413 (closed early)' : outcome.status < 0 ? (outcome.status === -1 ? 'timeout' : 'connection error') : `${Math.floor(outcome.status / 100)}xx`;
      byClass.set(statusClass, (byClass.get(statusClass) ?? 0) + 1);
      const key = `${operation.method} ${operation.path}`;
      const counts = byOperation.get(key) ?? new Map<number, number>();
      counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
      byOperation.set(key, counts);
      if (outcome.status >= 500 || (outcome.status < 0 && !oversized)) serverErrors.push(`${method} ${path.slice(0, 200)} (${bytes} bytes) → ${outcome.status} ${outcome.body.slice(0, 300)}`);
    }
    const seconds = (Date.now() - started) / 1000;

    console.log(`\nresponses by status class (${REQUESTS} requests in ${seconds.toFixed(1)} s):`);
    for (const [statusClass, count] of [...byClass.entries()].sort()) console.log(`  ${statusClass.padEnd(17)} ${count}`);
    console.log('\nper operation (status: count):');
    for (const [key, counts] of [...byOperation.entries()].sort()) {
      console.log(`  ${key.padEnd(42)} ${[...counts.entries()].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s}:${c}`).join(' ')}`);
    }
    const ready = await send(base, 'GET', '/health/ready', {});
    console.log(`\n5xx (and hangs/connection errors): ${serverErrors.length}`);
    for (const line of serverErrors.slice(0, 20)) console.log(`  ${line}`);
    console.log(`orchestrator readiness after the fuzz: ${ready.status}`);
    agent.destroy();
    if (serverErrors.length > 0 || ready.status !== 200) throw new Error(`the gateway answered ${serverErrors.length} request(s) with a 5xx, a hang or a dropped connection (readiness ${ready.status})`);
  });
}

runBench(main);
