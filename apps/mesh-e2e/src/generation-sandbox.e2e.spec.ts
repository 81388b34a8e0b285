import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deleteNamespaceTopics, Mesh, TEST_INFRA, testNamespace, waitUntil } from '@autocode/testing';
import { OrchestratorApi, type TaskView } from './orchestrator-api';
import { npmLockfile } from '@autocode/testing';

/**
 * The sandbox, proven through real `generate` tasks on a real mesh (an
 * orchestrator and a generation node as processes, on the real Kafka and
 * Redis). A repository's ESLint config is code that lint-autofix runs:
 * hostile configs try to read the node's secrets, write outside the
 * workspace and run forever; each task fails with that reason, and a
 * harmless repository gets its patch.
 */
describe('generation in the sandbox, through the mesh', () => {
  const namespace = testNamespace('gsbx');
  const FAKE_KEY = 'sk-e2e-never-visible-0123456789';
  let root: string;
  let mesh: Mesh;
  let api: OrchestratorApi;

  // lint-autofix runs only the repository's own ESLint: the fixtures declare and lock it.
  const MANIFEST = JSON.stringify({ name: 'gsbx', type: 'module', devDependencies: { eslint: '9.39.5' } });
  let lockfile: string;

  /** A one-file JS repository whose eslint.config.js starts with `prelude`. */
  function repository(name: string, prelude: string): { path: string; commit: string } {
    const path = join(root, name);
    const files: Record<string, string> = {
      'package.json': MANIFEST,
      'package-lock.json': lockfile,
      'src/index.js': 'var answer = 42;\nexport { answer };\n',
      'eslint.config.js': `${prelude}\nexport default [{ rules: { 'no-var': 'error' } }];\n`,
    };
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(dirname(join(path, file)), { recursive: true });
      writeFileSync(join(path, file), content);
    }
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=E2E', '-c', 'user.email=e2e@autocode.invalid', ...args], { cwd: path, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', name);
    return { path, commit: git('rev-parse', 'HEAD') };
  }

  const generate = (repo: { path: string; commit: string }) =>
    api.createTask({
      type: 'generate',
      params: {
        repository: repo.path,
        commit: repo.commit,
        opportunity: { fingerprint: 'c'.repeat(16), kind: 'lint-finding', title: 'var in src/index.js', description: '', priority: 'LOW', files: ['src/index.js'], generator: 'lint-autofix' },
      },
      retry: { maxRetries: 0 },
    });
  const finished = async (task: TaskView) => {
    await api.waitForTaskState(task.id, ['COMPLETED', 'FAILED'], 120_000);
    return (await api.get<TaskView & { error: { message: string; retryable: boolean } | null }>(`/api/tasks/${task.id}`)).body;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'autocode-gsbx-'));
    lockfile = await npmLockfile(MANIFEST);
    mesh = await Mesh.start({
      namespace,
      targetRepository: root,
      services: ['orchestrator', 'generation-node'],
      env: {
        orchestrator: { CYCLE_INTERVAL_MINUTES: '0' },
        // The node holds what a real one would: broker and Redis addresses, and a model key.
        'generation-node': { SANDBOX_MODE: 'bubblewrap', GENERATOR_TIME_LIMIT_MS: '5000', LLM_API_KEY: FAKE_KEY },
      },
    });
    api = new OrchestratorApi(mesh.orchestratorUrl);
    await waitUntil('a generation worker announcing generate', async () => {
      const { body } = await api.get<{ items: Array<{ pool: string }> }>('/api/workers');
      return body.items.some((w) => w.pool === 'generation');
    });
  });

  afterAll(async () => {
    await mesh?.stop();
    await deleteNamespaceTopics(TEST_INFRA.kafkaBrokers, namespace);
    rmSync(root, { recursive: true, force: true });
  });

  it('says in its readiness report that the OS sandbox is active, and which generators it offers', async () => {
    const response = await fetch(`${mesh.service('generation-node').url}/health/ready`);
    const report = (await response.json()) as { components: Array<{ name: string; status: string; details?: Record<string, unknown> }> };
    expect(report.components.find((c) => c.name === 'sandbox')).toMatchObject({ status: 'up', details: { isolation: 'bubblewrap', osSandbox: true, runsAllowed: true, unsafe: false } });
    expect(report.components.find((c) => c.name === 'generators')?.details).toMatchObject({
      offered: ['doc-comments', 'format', 'lint-autofix', 'noop', 'organize-imports', 'test-scaffold'],
      unavailable: { llm: expect.stringContaining('no model is configured') },
    });
  });

  it('completes a task on a harmless repository with a real patch', async () => {
    const task = await finished(await generate(repository('harmless', '// nothing to see')));
    expect(task.state).toBe('COMPLETED');
    expect(task.output).toMatchObject({ generator: 'lint-autofix', outcome: 'patch', patch: { filesChanged: 1 } });
    expect((task.output as { patch: { diff: string } }).patch.diff).toContain('+let answer = 42;');
  });

  it('fails the task of a config hunting for the node’s secrets: none is visible, and none leaks', async () => {
    const task = await finished(
      await generate(
        repository(
          'secrets',
          `import fs from 'node:fs';
           const wanted = ['REDIS_URL', 'KAFKA_BROKERS', 'LLM_API_KEY', 'KAFKA_NAMESPACE'];
           const found = wanted.filter((n) => process.env[n]).map((n) => n + '=' + process.env[n]);
           for (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
             try { const env = fs.readFileSync('/proc/' + pid + '/environ', 'utf8'); for (const n of wanted) if (env.includes(n + '=')) found.push('/proc/' + pid + ': ' + n); } catch {}
           }
           if (found.length) fs.writeFileSync('src/leak.js', '// ' + found.join('\\n// ') + '\\n');
           else throw new Error('hostile config: none of ' + wanted.join(', ') + ' is visible from here');`,
        ),
      ),
    );
    expect(task.state).toBe('FAILED');
    expect(task.error).toMatchObject({ retryable: false });
    expect(task.error!.message).toContain('hostile config: none of REDIS_URL, KAFKA_BROKERS, LLM_API_KEY, KAFKA_NAMESPACE is visible from here');
    // Had any been visible, the config would have written it into the patch instead of failing.
    expect(JSON.stringify(task)).not.toContain(FAKE_KEY);
    expect(JSON.stringify(task)).not.toContain(TEST_INFRA.redisUrl);
  });

  it('fails the task of a config writing outside its workspace, and nothing is written', async () => {
    const target = join(root, 'escaped.txt');
    const task = await finished(await generate(repository('escape', `import fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(target)}, 'escaped');`)));
    expect(task.state).toBe('FAILED');
    expect(task.error!.message).toMatch(/ESLint configuration cannot be loaded: (ENOENT: no such file or directory|EROFS: read-only file system), open '.*escaped\.txt'/);
    expect(existsSync(target)).toBe(false);
  });

  it('fails the task of a config that never returns, killed at the generator time limit', async () => {
    const task = await finished(await generate(repository('forever', 'for (;;) {}')));
    expect(task.state).toBe('FAILED');
    expect(task.error!.message).toMatch(/^generator lint-autofix killed by the sandbox: time limit of 5000 ms exceeded/);
    expect(task.history.map((h) => h.to)).toEqual(['CREATED', 'QUEUED', 'SCHEDULED', 'RUNNING', 'FAILED']);
  });
});
