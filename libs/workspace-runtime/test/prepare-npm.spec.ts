import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkspaceRuntime } from '../src';
import { copyRepo, CHECK_TIMEOUT_MS, npmLockfile, npmPack, prepared, realSandbox, removeFixtures, runtimeUnderTest, SHARED_CACHE_DIR, writeFiles, writeRepo, type RuntimeUnderTest } from './fixtures';

/** npm repositories, real registry, real bubblewrap sandbox. */
describe('WorkspaceRuntime with npm', () => {
  let rt: RuntimeUnderTest;
  beforeEach(async () => (rt = await runtimeUnderTest()));
  afterEach(() => {
    rt.remove();
    removeFixtures();
  });

  const isNumberRepo = async () => {
    const dir = writeRepo({
      'package.json': {
        name: 'uses-is-number',
        version: '1.0.0',
        private: true,
        dependencies: { 'is-number': '7.0.0' },
        scripts: {
          test: `node -e "if (!require('is-number')(5)) process.exit(1); console.log('is-number works')"`,
          poison: `node -e "require('fs').writeFileSync(require.resolve('is-number'), 'module.exports = () => false')"`,
        },
      },
    });
    await npmLockfile(dir);
    return dir;
  };

  it('installs cold once, then prepares another checkout warm without running anything', async () => {
    const first = await isNumberRepo();
    const cold = prepared(await rt.runtime.prepare(first));
    expect(cold).toMatchObject({ manager: 'npm', installed: 'cold', lockfile: 'package-lock.json', nodeMajor: Number(process.versions.node.split('.')[0]) });
    expect(rt.runs.some((run) => run.args?.includes('ci') && run.args.includes('--ignore-scripts') && run.network === true)).toBe(true);
    expect((await rt.runtime.runCheck(cold, { name: 'test' }, { timeoutMs: CHECK_TIMEOUT_MS })).status).toBe('passed');

    const second = copyRepo(first);
    const runsBefore = rt.runs.length;
    const warm = prepared(await rt.runtime.prepare(second));
    expect(warm).toMatchObject({ installed: 'warm', treeKey: cold.treeKey });
    expect(rt.runs.length).toBe(runsBefore); // nothing installed, nothing run
    const result = await rt.runtime.runCheck(warm, { name: 'test' }, { timeoutMs: CHECK_TIMEOUT_MS });
    expect(result).toMatchObject({ status: 'passed' });
    expect(result.excerpt).toContain('is-number works');
    expect(rt.runs.at(-1)).toMatchObject({ network: false, cwd: second });
  });

  it('keeps the shared tree read-only for the repository’s scripts', async () => {
    const dir = await isNumberRepo();
    const ready = prepared(await rt.runtime.prepare(dir));
    const cached = realpathSync(join(dir, 'node_modules', 'is-number', 'index.js'));
    const before = readFileSync(cached, 'utf8');
    const poisoned = await rt.runtime.runCheck(ready, { name: 'poison' }, { timeoutMs: CHECK_TIMEOUT_MS });
    expect(poisoned).toMatchObject({ status: 'cannot-run', reason: 'the check writes outside the checkout, which is read-only in the sandbox' });
    expect(poisoned.excerpt).toMatch(/EROFS|read-only file system/);
    expect(readFileSync(cached, 'utf8')).toBe(before);
  });

  it('two processes preparing the same lockfile at once build one tree', async () => {
    const first = await isNumberRepo();
    const second = copyRepo(first);
    // A second runtime on the same cache, as another service on this host would be.
    const shared = new WorkspaceRuntime(await realSandbox(), { cacheDir: SHARED_CACHE_DIR, treeCacheDir: rt.treeCacheDir });
    const [a, b] = await Promise.all([rt.runtime.prepare(first), shared.prepare(second)]);
    expect([prepared(a).installed, prepared(b).installed].sort()).toEqual(['cold', 'warm']);
    expect(prepared(a).treeKey).toBe(prepared(b).treeKey);
    expect(realpathSync(join(first, 'node_modules', 'is-number'))).toBe(realpathSync(join(second, 'node_modules', 'is-number')));
  });

  it('runs no lifecycle script by default, and runs an allowlisted one', async () => {
    const vendor = writeRepo(
      {
        'package.json': {
          name: 'marker-pkg',
          version: '1.0.0',
          scripts: { postinstall: `node -e "require('fs').writeFileSync(require('path').join(__dirname, 'postinstall-ran'), 'yes')"` },
        },
        'index.js': 'module.exports = 42;\n',
      },
      'vendor',
    );
    const dir = writeRepo({});
    const tarball = await npmPack(vendor, dir);
    writeFiles(dir, { 'package.json': { name: 'with-scripts', version: '1.0.0', private: true, dependencies: { 'marker-pkg': `file:./${tarball}` } } });
    await npmLockfile(dir);

    const plain = prepared(await rt.runtime.prepare(dir));
    expect(existsSync(join(dir, 'node_modules', 'marker-pkg', 'index.js'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules', 'marker-pkg', 'postinstall-ran'))).toBe(false);
    expect(plain.skippedInstallScripts).toEqual(['marker-pkg']);

    const allowed = copyRepo(dir, 'allowed');
    writeFileSync(join(allowed, 'autocode.yaml'), 'install:\n  allowScripts: [marker-pkg]\n');
    const withScripts = prepared(await rt.runtime.prepare(allowed));
    expect(withScripts.installed).toBe('cold'); // the allowlist is part of the tree's key
    expect(withScripts.treeKey).not.toBe(plain.treeKey);
    expect(readFileSync(join(allowed, 'node_modules', 'marker-pkg', 'postinstall-ran'), 'utf8')).toBe('yes');
    expect(withScripts.skippedInstallScripts).toEqual([]);
    expect(rt.runs.some((run) => run.args?.includes('rebuild') && run.args.includes('marker-pkg'))).toBe(true);
  });

  it('classifies a dependency the registry does not have, a stale lockfile and a missing one, without throwing', async () => {
    const missingName = `@autocode-test-${Date.now().toString(36)}/does-not-exist`;
    const missing = writeRepo({
      'package.json': { name: 'missing-dep', version: '1.0.0', dependencies: { [missingName]: '1.0.0' } },
      'package-lock.json': {
        name: 'missing-dep',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'missing-dep', version: '1.0.0', dependencies: { [missingName]: '1.0.0' } },
          [`node_modules/${missingName}`]: { version: '1.0.0', resolved: `https://registry.npmjs.org/${missingName}/-/does-not-exist-1.0.0.tgz` },
        },
      },
    });
    const unavailable = await rt.runtime.prepare(missing);
    expect(unavailable).toMatchObject({ ok: false, manager: 'npm', failure: { kind: 'dependency-unavailable' } });
    if (!unavailable.ok) expect(unavailable.failure.excerpt).toMatch(/404/);

    const stale = await isNumberRepo();
    const manifest = JSON.parse(readFileSync(join(stale, 'package.json'), 'utf8'));
    writeFiles(stale, { 'package.json': { ...manifest, dependencies: { ...manifest.dependencies, 'is-odd': '3.0.1' } } });
    expect(await rt.runtime.prepare(stale)).toMatchObject({ ok: false, failure: { kind: 'lockfile-out-of-sync' } });

    const none = writeRepo({ 'package.json': { name: 'no-lock', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } } });
    expect(await rt.runtime.prepare(none)).toMatchObject({ ok: false, failure: { kind: 'lockfile-missing' } });

    const conflicting = writeRepo({ 'package.json': { name: 'conflict', version: '1.0.0', packageManager: 'pnpm@9.15.0' }, 'package-lock.json': { lockfileVersion: 3, packages: {} } });
    expect(await rt.runtime.prepare(conflicting)).toMatchObject({ ok: false, failure: { kind: 'manager-conflict', message: expect.stringContaining('package-lock.json') } });

    const badConfig = await isNumberRepo();
    writeFileSync(join(badConfig, 'autocode.yaml'), 'install:\n  allowScripts: ["not a package"]\n');
    expect(await rt.runtime.prepare(badConfig)).toMatchObject({ ok: false, failure: { kind: 'config-invalid', message: expect.stringContaining('install.allowScripts[0]') } });
  });

  it('links a workspace’s packages to the checkout’s own sources, so a patched package is what its dependents load', async () => {
    const dir = writeRepo({
      'package.json': { name: 'mono', version: '1.0.0', private: true, workspaces: ['packages/*'], scripts: { test: 'npm test --workspaces --if-present' } },
      'packages/lib/package.json': { name: '@mono/lib', version: '1.0.0', main: 'index.js' },
      'packages/lib/index.js': 'module.exports = "original";\n',
      'packages/app/package.json': {
        name: '@mono/app',
        version: '1.0.0',
        dependencies: { '@mono/lib': '1.0.0', 'is-number': '7.0.0' },
        scripts: { test: `node -e "console.log('lib says', require('@mono/lib'), require('is-number')(1))"` },
      },
    });
    await npmLockfile(dir);
    const cold = prepared(await rt.runtime.prepare(dir));
    const base = await rt.runtime.runCheck(cold, { name: 'test' }, { timeoutMs: CHECK_TIMEOUT_MS });
    expect(base).toMatchObject({ status: 'passed' });
    expect(base.excerpt).toContain('lib says original true');

    const patched = copyRepo(dir, 'patched');
    writeFileSync(join(patched, 'packages/lib/index.js'), 'module.exports = "patched";\n');
    const warm = prepared(await rt.runtime.prepare(patched));
    expect(warm.installed).toBe('warm');
    const result = await rt.runtime.runCheck(warm, { name: 'test' }, { timeoutMs: CHECK_TIMEOUT_MS });
    expect(result).toMatchObject({ status: 'passed' });
    expect(result.excerpt).toContain('lib says patched true');
  });
});
