import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { copyRepo, CHECK_TIMEOUT_MS, npmLockfile, pnpmLockfile, prepared, removeFixtures, runtimeUnderTest, writeRepo, yarnClassicLockfile, type RuntimeUnderTest, yarnBerryLockfile } from './fixtures';

/** pnpm, Yarn 1, another Node.js major and a mocha + chai project: real registry, real bubblewrap sandbox. */
describe('WorkspaceRuntime with other managers and Node.js majors', () => {
  let rt: RuntimeUnderTest;
  beforeEach(async () => (rt = await runtimeUnderTest()));
  afterEach(() => {
    rt.remove();
    removeFixtures();
  });

  const manifest = (name: string, extra: object = {}) => ({
    name,
    version: '1.0.0',
    private: true,
    dependencies: { 'is-number': '7.0.0' },
    scripts: { test: `node -e "if (!require('is-number')(5)) process.exit(1); console.log('ran on', process.version)"` },
    ...extra,
  });

  it('pnpm: detects it from pnpm-lock.yaml, fetches pnpm 9, installs frozen, then warm; the check runs through pnpm', async () => {
    const dir = writeRepo({ 'package.json': manifest('pnpm-fixture') });
    await pnpmLockfile(dir, rt.runtime);
    const cold = prepared(await rt.runtime.prepare(dir));
    expect(cold).toMatchObject({ manager: 'pnpm', lockfile: 'pnpm-lock.yaml', installed: 'cold' });
    expect(cold.managerVersion).toMatch(/^9\./);
    expect(rt.runs.some((run) => run.args?.includes('--frozen-lockfile') && run.args.includes('--ignore-scripts'))).toBe(true);

    const again = copyRepo(dir);
    const warm = prepared(await rt.runtime.prepare(again));
    expect(warm.installed).toBe('warm');
    const checks = await rt.runtime.discoverChecks(warm);
    expect(checks.checks.map((c) => c.display)).toEqual(['pnpm run test']);
    const result = await rt.runtime.runCheck(warm, checks.checks[0], { timeoutMs: CHECK_TIMEOUT_MS });
    expect(result).toMatchObject({ status: 'passed' });
    expect(result.excerpt).toContain('ran on');
  });

  it('checks a packageManager sha512 pin against the registry’s digest, on every use', async () => {
    const { stdout } = await promisify(execFile)('npm', ['view', 'pnpm@9.15.9', 'dist.integrity']);
    const hex = Buffer.from(stdout.trim().replace(/^sha512-/, ''), 'base64').toString('hex');
    const dir = writeRepo({ 'package.json': manifest('pinned-fixture', { packageManager: `pnpm@9.15.9+sha512.${hex}` }) });
    await pnpmLockfile(dir, rt.runtime);
    expect(prepared(await rt.runtime.prepare(dir))).toMatchObject({ manager: 'pnpm', managerVersion: '9.15.9' });

    const tampered = copyRepo(dir, 'tampered');
    const wrong = `${hex.slice(0, -4)}0000`;
    writeFileSync(join(tampered, 'package.json'), JSON.stringify(manifest('pinned-fixture', { packageManager: `pnpm@9.15.9+sha512.${wrong}` })));
    expect(await rt.runtime.prepare(tampered)).toMatchObject({ ok: false, failure: { kind: 'manager-conflict', message: expect.stringContaining(`pins (${wrong})`) } });
  });

  it('yarn classic: detects the v1 lockfile, installs with --frozen-lockfile, runs `yarn test`', async () => {
    const dir = writeRepo({ 'package.json': manifest('yarn-fixture') });
    await yarnClassicLockfile(dir, rt.runtime);
    const ready = prepared(await rt.runtime.prepare(dir));
    expect(ready).toMatchObject({ manager: 'yarn', managerFlavor: 'classic', lockfile: 'yarn.lock', installed: 'cold' });
    expect(ready.managerVersion).toMatch(/^1\./);
    const checks = await rt.runtime.discoverChecks(ready);
    expect(checks.checks.map((c) => c.display)).toEqual(['yarn test']);
    expect(await rt.runtime.runCheck(ready, checks.checks[0], { timeoutMs: CHECK_TIMEOUT_MS })).toMatchObject({ status: 'passed' });
  });

  it.each([
    // 4.10.0 is a Yarn release the npm registry's @yarnpkg/cli-dist skipped: the next 4.x stands in, with a warning.
    ['node-modules', 'nodeLinker: node-modules\n', '4.10.0', '4.10.1', ['node_modules', '.yarn/install-state.gz']],
    ["Plug'n'Play", '', '4.5.3', '4.5.3', ['.pnp.cjs', '.pnp.data.json', '.pnp.loader.mjs', '.yarn/install-state.gz', '.yarn/unplugged', 'node_modules']],
  ])('yarn 4 with the %s linker: detects berry, installs --immutable, then warm, and `yarn run test` works', async (_linker, yarnrc, declared, used, created) => {
    const dir = writeRepo({ 'package.json': manifest('berry-fixture', { packageManager: `yarn@${declared}` }), '.yarnrc.yml': yarnrc });
    await yarnBerryLockfile(dir, rt.runtime, used);
    const cold = prepared(await rt.runtime.prepare(dir));
    expect(cold).toMatchObject({ manager: 'yarn', managerFlavor: 'berry', managerVersion: used, installed: 'cold', createdPaths: created });
    if (declared !== used) expect(cold.warnings).toContain(`yarn@${declared} is not on the npm registry; using ${used} of the same major`);
    expect(rt.runs.some((run) => run.args?.includes('--immutable') && run.args.includes('--mode=skip-build'))).toBe(true);
    const again = copyRepo(dir);
    const warm = prepared(await rt.runtime.prepare(again));
    expect(warm.installed).toBe('warm');
    const result = await rt.runtime.runCheck(warm, { name: 'test' }, { timeoutMs: CHECK_TIMEOUT_MS });
    expect(result).toMatchObject({ status: 'passed' });
    expect(result.excerpt).toContain('ran on');
  });

  it('.nvmrc asking for Node.js 22: fetches node@22 and the repository’s scripts run on it', async () => {
    const dir = writeRepo({ 'package.json': manifest('node22-fixture'), '.nvmrc': '22\n' });
    await npmLockfile(dir);
    const ready = prepared(await rt.runtime.prepare(dir));
    expect(ready).toMatchObject({ nodeMajor: 22, nodeSource: '.nvmrc "22"' });
    expect(ready.nodeVersion).toMatch(/^v22\./);
    const result = await rt.runtime.runCheck(ready, { name: 'test' }, { timeoutMs: CHECK_TIMEOUT_MS });
    expect(result).toMatchObject({ status: 'passed' });
    expect(result.excerpt).toContain(`ran on ${ready.nodeVersion}`);
  });

  it('mocha + chai: discovers the checks of a typical package.json; a failing test is `failed` with the assertion in the excerpt', async () => {
    const dir = writeRepo({
      'package.json': {
        name: 'mocha-fixture',
        version: '1.0.0',
        private: true,
        scripts: { test: 'mocha', 'test:watch': 'mocha --watch', lint: 'node -e "process.exit(0)"', 'lint:fix': 'eslint --fix .', typecheck: 'tsc --noEmit --watch', 'format:check': 'node -e "process.exit(0)"', build: 'node -e "process.exit(0)"' },
        devDependencies: { mocha: '10.8.2', chai: '4.5.0' },
      },
      'index.js': 'exports.add = (a, b) => a + b;\n',
      'test/add.test.js': "const { expect } = require('chai');\nconst { add } = require('..');\ndescribe('add', () => it('adds', () => expect(add(1, 2)).to.equal(3)));\n",
    });
    await npmLockfile(dir);
    const ready = prepared(await rt.runtime.prepare(dir));
    const discovery = await rt.runtime.discoverChecks(ready);
    expect(discovery.checks.map((c) => [c.kind, c.display])).toEqual([
      ['test', 'npm run test'],
      ['lint', 'npm run lint'],
      ['format', 'npm run format:check'],
      ['build', 'npm run build'],
    ]);
    expect(discovery.skipped).toEqual([{ name: 'typecheck', reason: 'watch mode or a server: it never ends' }]);
    expect(await rt.runtime.runCheck(ready, { name: 'test' }, { timeoutMs: CHECK_TIMEOUT_MS })).toMatchObject({ status: 'passed', exitCode: 0 });

    writeFileSync(join(dir, 'index.js'), 'exports.add = (a, b) => a - b;\n');
    const broken = await rt.runtime.runCheck(ready, { name: 'test' }, { timeoutMs: CHECK_TIMEOUT_MS });
    expect(broken.status).toBe('failed');
    expect(broken.excerpt).toMatch(/1 failing/);
    expect(broken.excerpt).toMatch(/AssertionError: expected -1 to equal 3/);
  });

  it('a check past its time limit cannot run, which is not a failure', async () => {
    const dir = writeRepo({ 'package.json': { ...manifest('slow-fixture'), scripts: { test: 'node -e "setInterval(() => {}, 1000)"' } } });
    await npmLockfile(dir);
    const ready = prepared(await rt.runtime.prepare(dir));
    const result = await rt.runtime.runCheck(ready, { name: 'test' }, { timeoutMs: 3000 });
    expect(result).toMatchObject({ status: 'cannot-run', reason: expect.stringContaining('time limit') });
  });
});
