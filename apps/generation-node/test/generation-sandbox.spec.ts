import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NonRetryableTaskError } from '@autocode/worker';
import { createFixtureRepo, type FixtureRepo, MESH_NODE_MODULES } from './fixture-repo';
import { GenerationHarness } from './generation-harness';
import { withNpmLockfile } from '@autocode/testing';

/**
 * A repository's ESLint config is code, and lint-autofix runs it: the way
 * a hostile repository gets code into a generator. Each config here tries
 * one thing the sandbox must stop; the task fails, saying why.
 */
describe('generation in the sandbox, against a hostile repository', () => {
  const SECRETS = { REDIS_URL: 'redis://:hunter2@10.9.9.9:6379', LLM_API_KEY: 'sk-test-hunter2', KAFKA_BROKERS: '10.9.9.9:9092' };
  const saved: Record<string, string | undefined> = {};
  const repos: FixtureRepo[] = [];
  let harness: GenerationHarness;
  let outside: string;

  // The repository's own ESLint (lint-autofix runs no other), installed from the registry from its lockfile.
  let base: Record<string, string>;
  const hostile = (config: string) => {
    const repo = createFixtureRepo(
      base,
      { 'eslint.config.js': `${config}\nexport default [{ rules: { 'no-var': 'error' } }];\n` },
    );
    repos.push(repo);
    return repo;
  };
  const lintTask = { kind: 'lint-finding', generator: 'lint-autofix', files: ['src/index.js'] };

  beforeAll(async () => {
    // The service's own environment, as a generation node's would hold it.
    for (const [name, value] of Object.entries(SECRETS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    outside = mkdtempSync(join(tmpdir(), 'autocode-outside-'));
    harness = await GenerationHarness.create({ GENERATOR_TIME_LIMIT_MS: 120_000, GENERATOR_MEMORY_MB: 512 });
    base = await withNpmLockfile({
      'package.json': JSON.stringify({ name: 'hostile', type: 'module', devDependencies: { eslint: '9.39.5' } }),
      'src/index.js': 'var answer = 42;\nexport { answer };\n',
    });
  }, 300_000);

  afterAll(async () => {
    await harness?.close();
    for (const repo of repos) repo.remove();
    rmSync(outside, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('runs a harmless repository config normally (the baseline for the rest)', async () => {
    const output = await harness.generate(hostile('// nothing to see'), lintTask);
    expect(output).toMatchObject({ outcome: 'patch', patch: { filesChanged: 1 } });
  });

  it('a config hunting for the service secrets finds none, and the task fails with its complaint', async () => {
    const repo = hostile(`
      import fs from 'node:fs';
      const wanted = ${JSON.stringify(Object.keys(SECRETS))};
      const found = wanted.filter((name) => process.env[name]).map((name) => name + '=' + process.env[name]);
      for (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
        try {
          const env = fs.readFileSync('/proc/' + pid + '/environ', 'utf8');
          for (const name of wanted) if (env.includes(name + '=')) found.push('/proc/' + pid + ' has ' + name);
        } catch {}
      }
      if (found.length) fs.writeFileSync('src/leak.js', '// ' + found.join('\\n// ') + '\\n');
      else throw new Error('hostile config: none of ' + wanted.join(', ') + ' is visible from here');
    `);
    const failure = await harness.generate(repo, lintTask).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(NonRetryableTaskError);
    expect((failure as Error).message).toMatch(/ESLint configuration cannot be loaded: hostile config: none of REDIS_URL, LLM_API_KEY, KAFKA_BROKERS is visible from here/);
    for (const value of Object.values(SECRETS)) expect((failure as Error).message).not.toContain(value);
  });

  it('a config writing outside its workspace is refused by the file system, and nothing is written', async () => {
    // One target the sandbox does not have at all, one it has read-only (the toolchain).
    const targets = [join(outside, 'escaped.txt'), join(MESH_NODE_MODULES, 'escaped-from-sandbox.txt')];
    const repo = hostile(`
      import fs from 'node:fs';
      const results = [];
      for (const target of ${JSON.stringify(targets)}) {
        try { fs.writeFileSync(target, 'escaped'); results.push('wrote ' + target); } catch (error) { results.push(error.code + ' ' + target); }
      }
      throw new Error('hostile config: ' + results.join('; '));
    `);
    const failure = await harness.generate(repo, lintTask).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(NonRetryableTaskError);
    expect((failure as Error).message).toContain(`hostile config: ENOENT ${targets[0]}; EROFS ${targets[1]}`);
    for (const target of targets) expect(existsSync(target)).toBe(false);
  });

  it('a config that never returns is killed at the time limit; the failure says so and may be retried', async () => {
    const repo = hostile('for (;;) {}');
    const impatient = await GenerationHarness.create({ GENERATOR_TIME_LIMIT_MS: 4000 });
    const failure = await impatient.generate(repo, lintTask).catch((error: Error) => error);
    await impatient.close();
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(NonRetryableTaskError);
    expect((failure as Error).message).toMatch(/^generator lint-autofix killed by the sandbox: time limit of 4000 ms exceeded/);
  });

  it('a config that hoards memory is stopped at the memory limit', async () => {
    const repo = hostile('const hoard = []; for (;;) hoard.push(Buffer.alloc(32 * 1024 * 1024, 1));');
    const failure = await harness.generate(repo, lintTask).catch((error: Error) => error);
    expect((failure as Error).message).toMatch(/^generator lint-autofix stopped by the sandbox: memory limit of 512 MB exceeded/);
    expect(failure).toBeInstanceOf(NonRetryableTaskError);
  });

  it('a config that plants a symlink to a host file gets the patch refused', async () => {
    const repo = hostile(`import fs from 'node:fs';\ntry { fs.symlinkSync('/etc/passwd', 'src/passwd.js'); } catch {}`);
    const failure = await harness.generate(repo, lintTask).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(NonRetryableTaskError);
    expect((failure as Error).message).toMatch(/refused: path "src\/passwd\.js" is outside the workspace: .*symlink/);
  });

  it('refuses opportunity files that lead out of the workspace through a symlink in the repository', async () => {
    const linked = createFixtureRepo({ 'package.json': '{}' }, {});
    repos.push(linked);
    execFileSync('sh', ['-c', 'ln -s /etc src && git add src && git -c user.name=F -c user.email=f@x.invalid commit -qm link'], { cwd: linked.path });
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: linked.path, encoding: 'utf8' }).trim();
    const failure = await harness.generate({ path: linked.path, commit }, { kind: 'unformatted-file', generator: 'format', files: ['src/passwd'] }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(NonRetryableTaskError);
    expect((failure as Error).message).toMatch(/outside the workspace/);
  });

  it('fails without retry for a generator it does not have, or a commit that does not exist', async () => {
    const repo = hostile('');
    await expect(harness.generate(repo, { kind: 'lint-finding', generator: 'magic' })).rejects.toThrow(
      new NonRetryableTaskError('no generator named "magic" on this node (it has: doc-comments, format, lint-autofix, llm, noop, organize-imports, test-scaffold)'),
    );
    await expect(harness.generate({ path: repo.path, commit: 'f'.repeat(40) }, lintTask)).rejects.toThrow(NonRetryableTaskError);
  });
});
