import { execFileSync } from 'node:child_process';
import { fixtureRepo } from './git-fixtures';
import { PlannerHarness } from './planner-harness';
import { fixtureManifest, withNpmLockfile } from '@autocode/testing';

/**
 * Lint and format analysis with the repository's own tools, installed from
 * the real npm registry at pinned versions by the workspace runtime (in the
 * real sandbox): ESLint 8 with a legacy .eslintrc, Prettier 2, Biome only,
 * and a repository that uses none of them — never the mesh's ESLint 9 or
 * Prettier 3 unless autocode.yaml asks.
 */
describe("planning with the repository's own lint and format tools", () => {
  const repos: Array<{ remove: () => void }> = [];
  const h = new PlannerHarness();
  const repo = (files: Record<string, string>) => {
    const created = fixtureRepo(files);
    repos.push(created);
    return created.path;
  };
  const plan = (repository: string, kinds: string[]) => h.service.plan({ repository, ref: 'HEAD', lookbackHours: 24, kinds }, h.context());
  const analysis = (output: Awaited<ReturnType<typeof plan>>, name: string) => output.analyses?.find((a) => a.name === name);
  const KINDS = ['lint-finding', 'unformatted-file'];

  afterAll(async () => {
    await h.close();
    for (const r of repos) r.remove();
  });

  it('ESLint 8 with a legacy .eslintrc.json: a fixable finding is planned with its rules, an unfixable one is not', async () => {
    const path = repo(
      await withNpmLockfile({
        'package.json': fixtureManifest({ eslint: '8.57.1' }),
        '.eslintrc.json': JSON.stringify({ root: true, parserOptions: { ecmaVersion: 2022, sourceType: 'module' }, rules: { 'prefer-const': 'error', 'no-debugger': 'error' } }),
        'src/fixable.js': `export function f() {\n  let x = 1;\n  return x;\n}\n`,
        'src/unfixable.js': `export function g() {\n  debugger;\n  return 1;\n}\n`,
      }),
    );
    const output = await plan(path, KINDS);
    expect(output.opportunities.map((o) => [o.kind, o.files])).toEqual([['lint-finding', ['src/fixable.js']]]);
    expect(output.opportunities[0].description).toMatch(/^1 finding ESLint can fix automatically:\nprefer-const/);
    // Both findings were seen (the repository's rules ran), only the fixable one planned.
    expect(analysis(output, 'eslint')).toMatchObject({ status: 'ran', findings: 2, detail: expect.stringMatching(/the repository's ESLint 8\.57\.1 with \.eslintrc\.json$/) });
    expect(analysis(output, 'format-check')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/uses no formatter/) });
  }, 300_000);

  it("Prettier 2 pinned: its check decides, not Prettier 3's style", async () => {
    // Formatted as Prettier 2 formats it (trailing commas "es5"); Prettier 3 ("all") would add one after the last argument.
    const call = `export const result = someFunctionWithALongName(\n  "first argument that is long",\n  "second argument that is long too"\n);\n`;
    // The mesh's Prettier 3 (in a child: jest cannot load its ES module parts) would call the file unformatted.
    const prettier3 = execFileSync(process.execPath, ['-e', `require('prettier').check(process.argv[1], { parser: 'babel' }).then((ok) => process.stdout.write(String(ok)))`, call], { encoding: 'utf8' });
    expect(prettier3).toBe('false');
    const path = repo(
      await withNpmLockfile({
        'package.json': fixtureManifest({ prettier: '2.8.8' }, { scripts: { 'format:check': 'prettier --check src' } }),
        '.prettierrc.json': '{}\n',
        'src/call.js': call,
        'src/ugly.js': `export const y    =   1\n`,
      }),
    );
    const output = await plan(path, KINDS);
    expect(output.opportunities.map((o) => [o.kind, o.files])).toEqual([['unformatted-file', ['src/ugly.js']]]);
    expect(analysis(output, 'format-check')).toMatchObject({ status: 'ran', findings: 1, detail: expect.stringMatching(/the repository's prettier 2\.8\.8 check/) });
    expect(analysis(output, 'eslint')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/does not use ESLint/) });
  }, 300_000);

  it('Biome only: its format check decides, no ESLint or Prettier runs', async () => {
    const path = repo(
      await withNpmLockfile({
        'package.json': fixtureManifest({ '@biomejs/biome': '1.9.4' }),
        'biome.json': JSON.stringify({ formatter: { indentStyle: 'space' } }),
        'src/ok.js': `export const y = 1;\n`,
        'src/ugly.js': `export const y    =   1\n`,
      }),
    );
    const output = await plan(path, KINDS);
    expect(output.opportunities.map((o) => [o.kind, o.files])).toEqual([['unformatted-file', ['src/ugly.js']]]);
    expect(analysis(output, 'format-check')).toMatchObject({ status: 'ran', findings: 1, detail: expect.stringMatching(/the repository's biome 1\.9\.4 check \(biome\.json\)/) });
    expect(analysis(output, 'eslint')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/does not use ESLint/) });
  }, 300_000);

  it('a repository with no linter or formatter gets no lint or format opportunities', async () => {
    const path = repo({
      'package.json': fixtureManifest({}),
      'src/messy.js': `export function f() {\n  var x    = 1\n  return x\n}\n`,
    });
    const output = await plan(path, KINDS);
    expect(output.opportunities).toEqual([]);
    expect(analysis(output, 'eslint')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/does not use ESLint/) });
    expect(analysis(output, 'format-check')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/uses no formatter/) });
  }, 120_000);

  it('the default ESLint only when autocode.yaml asks; a bad tools value is named', async () => {
    const asked = repo({
      'package.json': fixtureManifest({}),
      'autocode.yaml': 'tools:\n  eslint: default\n',
      'src/f.js': `export function f() {\n  let x = 1;\n  return x;\n}\n`,
    });
    const output = await plan(asked, ['lint-finding']);
    expect(output.opportunities.map((o) => [o.kind, o.files])).toEqual([['lint-finding', ['src/f.js']]]);
    expect(analysis(output, 'eslint')?.detail).toMatch(/the mesh's ESLint with the default configuration \(autocode.yaml tools.eslint: default\)/);

    const bad = repo({ 'package.json': fixtureManifest({}), 'autocode.yaml': 'tools:\n  eslint: mine\n', 'src/f.js': `export let x = 1;\n` });
    const refused = await plan(bad, ['lint-finding']);
    expect(refused.opportunities).toEqual([]);
    expect(analysis(refused, 'eslint')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/autocode.yaml tools\.eslint: .*repository \| default \| off/) });
  }, 120_000);

  it("an ESLint the repository configures but whose dependencies cannot be prepared: nothing planned, the reason given, no mesh ESLint instead", async () => {
    const path = repo({
      'package.json': fixtureManifest({ eslint: '9.39.5' }),
      'eslint.config.js': `export default [{ rules: { 'prefer-const': 'error' } }];\n`,
      'src/f.js': `export function f() {\n  let x = 1;\n  return x;\n}\n`,
    });
    const output = await plan(path, ['lint-finding']);
    expect(output.opportunities).toEqual([]);
    expect(analysis(output, 'eslint')).toMatchObject({ status: 'skipped', detail: expect.stringMatching(/dependencies cannot be prepared \(lockfile-missing/) });
  }, 120_000);
});
