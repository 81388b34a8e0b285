import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureRepo } from './git-fixtures';
import { PlannerHarness } from './planner-harness';
import { fixtureManifest, withNpmLockfile } from '@autocode/testing';

const SOURCE = `/** Adds. */
export function add(a, b) {
  debugger;
  return a + b;
}
`;

/**
 * A repository's ESLint and its configuration are code: the planner runs
 * them in the sandbox with a scrubbed environment and a time limit, and
 * reports a run that misbehaves as failed (never the mesh's ESLint instead).
 */
describe('running the target repository tooling', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'autocode-planner-tooling-'));
  const repos: Array<{ remove: () => void }> = [];
  const harnesses: PlannerHarness[] = [];
  const repo = (files: Record<string, string>) => {
    const created = fixtureRepo(files);
    repos.push(created);
    return created.path;
  };
  const harness = (env: Record<string, string> = {}, options: { appMetricsInfluxUrl?: string } = {}) => {
    const created = new PlannerHarness(env, options);
    harnesses.push(created);
    return created;
  };
  const plan = (h: PlannerHarness, repository: string, kinds: string[]) => h.service.plan({ repository, ref: 'HEAD', lookbackHours: 24, kinds }, h.context());

  afterAll(async () => {
    await Promise.all(harnesses.map((h) => h.close()));
    for (const r of repos) r.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('runs the repository configuration in the sandbox: without the service environment, unable to write outside', async () => {
    const dump = join(scratch, 'env.json');
    process.env.PLANNER_TEST_SECRET = `do-not-leak-${Date.now()}`;
    try {
      // The configuration fails to load (so the default would be used, with a note) if it sees anything of the service.
      const path = repo(await withNpmLockfile({
        'package.json': fixtureManifest({ eslint: '9.39.5' }),
        'eslint.config.mjs': `import { writeFileSync } from 'node:fs';
try { writeFileSync(${JSON.stringify(dump)}, JSON.stringify(process.env)); } catch {}
const unexpected = Object.keys(process.env).filter((name) => !['HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'NODE_ENV', 'NODE_OPTIONS', 'PATH', 'PWD', 'CI', 'NO_COLOR', 'NO_UPDATE_NOTIFIER', 'npm_config_update_notifier', 'GIT_TERMINAL_PROMPT'].includes(name) && !name.startsWith('GIT_CONFIG_'));
if (unexpected.length || process.env.HOME === ${JSON.stringify(process.env.HOME ?? '/root')}) throw new Error('saw the service environment: ' + unexpected.join(','));
export default [{ files: ['**/*.js'], rules: { 'no-debugger': 'error' } }];
`,
        'src/add.js': SOURCE,
      }));
      const h = harness();
      const output = await plan(h, path, ['lint-finding']);
      // The repository's own ESLint and configuration ran and found the debugger statement.
      expect(output.analyses?.find((a) => a.name === 'eslint')).toMatchObject({ status: 'ran', findings: 1, detail: expect.stringMatching(/with the repository's ESLint 9\.39\.5 with eslint\.config\.mjs$/) });
      expect(existsSync(dump)).toBe(false);
    } finally {
      delete process.env.PLANNER_TEST_SECRET;
    }
  }, 300_000);

  it('stops a configuration that never finishes loading and reports ESLint as failed, without a default instead', async () => {
    const path = repo(await withNpmLockfile({
      'package.json': fixtureManifest({ eslint: '9.39.5' }),
      'eslint.config.js': `while (true) {}\nexport default [];\n`,
      'src/add.js': `export function add(a, b) {\n  let sum = a + b;\n  return sum;\n}\n`,
    }));
    const h = harness({ PLANNER_TOOL_TIMEOUT_MS: '3000' });
    const output = await plan(h, path, ['lint-finding']);
    expect(output.opportunities).toEqual([]);
    expect(output.analyses?.find((a) => a.name === 'eslint')).toMatchObject({ status: 'failed', findings: 0, detail: expect.stringMatching(/exceeded its time limit of 3000 ms$/) });
  }, 300_000);

  it('lints TypeScript with the default configuration when autocode.yaml asks for it, and skips a format check the repository does not have', async () => {
    const path = repo({
      'autocode.yaml': 'tools:\n  eslint: default\n',
      'src/unused.ts': `export function f(x: number): number {\n  let unusedLocal = 1;\n  return x;\n}\n`,
      'src/ugly.ts': `export const y    =   1\n`,
    });
    const h = harness();
    const output = await plan(h, path, ['lint-finding', 'unformatted-file']);
    expect(output.opportunities.map((o) => [o.kind, o.files])).toEqual([['lint-finding', ['src/unused.ts']]]);
    // prefer-const is fixed automatically; the unused variable is named in the description but not fixed by this change.
    expect(output.opportunities[0].description).toMatch(/^1 finding ESLint can fix automatically:\nprefer-const[\s\S]*not part of this change[\s\S]*@typescript-eslint\/no-unused-vars/);
    expect(output.analyses?.find((a) => a.name === 'eslint')?.detail).toMatch(/the mesh's ESLint with the default configuration/);
    expect(output.analyses?.find((a) => a.name === 'format-check')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/uses no formatter/) });
  });

  it('reads CI reports left outside the repository (jest JSON, istanbul summary)', async () => {
    const path = repo({
      'src/cart.js': `/** Totals. */\nexport function total(items) {\n  return items.reduce((s, i) => s + i, 0);\n}\n`,
      'test/cart.test.js': `import { total } from '../src/cart.js';\n`,
    });
    const reports = join(scratch, 'ci-reports');
    rmSync(reports, { recursive: true, force: true });
    mkdirSync(join(reports, 'coverage'), { recursive: true });
    writeFileSync(
      join(reports, 'jest-results.json'),
      JSON.stringify({ testResults: [{ name: `/ci/work/test/cart.test.js`, status: 'failed', assertionResults: [{ status: 'failed', fullName: 'cart totals', failureMessages: ['expected 6, got 5'] }] }] }),
    );
    writeFileSync(join(reports, 'coverage', 'coverage-summary.json'), JSON.stringify({ '/ci/work/src/cart.js': { lines: { total: 40, covered: 10 }, functions: { total: 1, covered: 1 } } }));
    const h = harness({ PLANNER_REPORTS_DIR: reports, PLANNER_COVERAGE_MIN_LINES: '1' });
    const output = await plan(h, path, ['failing-test', 'low-coverage']);
    expect(output.opportunities.map((o) => [o.kind, o.files, o.title])).toEqual([
      ['failing-test', ['test/cart.test.js', 'src/cart.js'], 'Fix 1 failing test in test/cart.test.js: cart totals'],
      ['low-coverage', ['src/cart.js'], 'Raise test coverage of src/cart.js (25% of lines)'],
    ]);
  });

  it('reports an unreachable InfluxDB as a failed analysis and still plans the rest', async () => {
    const path = repo({ 'src/add.js': `export function add(a, b) {\n  return a + b;\n}\n` });
    const h = harness({}, { appMetricsInfluxUrl: 'http://127.0.0.1:9' });
    const output = await plan(h, path, ['performance-regression', 'undocumented-export']);
    expect(output.opportunities.map((o) => o.kind)).toEqual(['undocumented-export']);
    expect(output.analyses?.find((a) => a.name === 'application-metrics')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/ECONNREFUSED|connect/) });
  });

  it('limits the analysis to the paths asked for', async () => {
    const path = repo({
      'packages/a/index.js': `export function a() {\n  return 1;\n}\n`,
      'packages/b/index.js': `export function b() {\n  return 2;\n}\n`,
    });
    const h = harness();
    const output = await h.service.plan({ repository: path, ref: 'HEAD', lookbackHours: 24, kinds: ['undocumented-export'], paths: ['packages/b'] }, h.context());
    expect(output.opportunities.map((o) => o.files)).toEqual([['packages/b/index.js']]);
    expect(output.stats.filesAnalysed).toBe(1);
  });

  it('fails without retrying for a repository that does not exist', async () => {
    const h = harness();
    await expect(plan(h, join(scratch, 'missing'), ['lint-finding'])).rejects.toMatchObject({ name: 'NonRetryableTaskError' });
  });
});
