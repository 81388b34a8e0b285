import { Sandbox } from '@autocode/sandbox';
import { type CheckResult, WorkspaceRuntime } from '@autocode/workspace-runtime';
import { createFixtureRepo, type FixtureRepo } from './fixture-repo';
import { GenerationHarness, TEST_WORKSPACE_CACHE_DIR } from './generation-harness';
import { withNpmLockfile } from '@autocode/testing';

/**
 * The built-in lint and format generators with the repository's own tools,
 * installed from the real npm registry at pinned versions (ESLint 8 with a
 * legacy .eslintrc, Prettier 2, Biome), through the generation service
 * with the real sandbox. The judge is the repository's own check script,
 * run by the workspace runtime: it fails before the patch and passes after.
 */
describe("built-in generators with the repository's own tools", () => {
  let harness: GenerationHarness;
  let runtime: WorkspaceRuntime;
  const repos: FixtureRepo[] = [];
  const fixture = async (base: Record<string, string>, finding: Record<string, string>) => {
    const repo = createFixtureRepo(await withNpmLockfile(base), finding);
    repos.push(repo);
    return repo;
  };
  /** The repository's own script, on its checkout with `diff` applied. */
  const check = (repo: FixtureRepo, diff: string, script: string) =>
    harness.withPatched(repo, diff, async (workspace): Promise<CheckResult> => {
      const prepared = await runtime.prepare(workspace.root);
      if (!prepared.ok) throw new Error(`prepare failed: ${prepared.failure.message}`);
      return runtime.runCheck(prepared, { name: script }, { timeoutMs: 120_000 });
    });

  beforeAll(async () => {
    harness = await GenerationHarness.create();
    runtime = new WorkspaceRuntime(await Sandbox.create({ mode: 'bubblewrap' }), { cacheDir: TEST_WORKSPACE_CACHE_DIR });
  });

  afterAll(async () => {
    await harness?.close();
    for (const repo of repos) repo.remove();
  });

  it("format with Prettier 2 pinned: its output passes prettier@2 --check, without Prettier 3's trailing commas", async () => {
    const repo = await fixture(
      { 'package.json': JSON.stringify({ name: 'p2', version: '1.0.0', scripts: { 'format:check': 'prettier --check src' }, devDependencies: { prettier: '2.8.8' } }), '.prettierrc.json': '{}\n' },
      { 'src/call.js': `export const result = someFunctionWithALongName("first argument that is long", "second argument that is long too");\n` },
    );
    expect((await check(repo, '', 'format:check')).status).toBe('failed');
    const output = await harness.generate(repo, { kind: 'unformatted-file', generator: 'format', files: ['src/call.js'] });
    expect(output.outcome).toBe('patch');
    // Prettier 2's default trailingComma is "es5": no comma after the last argument (Prettier 3 would write one).
    expect(output.patch.diff).toContain('+  "second argument that is long too"\n+);');
    expect(await check(repo, output.patch.diff, 'format:check')).toMatchObject({ status: 'passed' });
  }, 300_000);

  it("lint-autofix with ESLint 8 and a legacy .eslintrc.json: fixed by the repository's rules, its lint passes after", async () => {
    const repo = await fixture(
      {
        'package.json': JSON.stringify({ name: 'e8', version: '1.0.0', scripts: { lint: 'eslint src' }, devDependencies: { eslint: '8.57.1' } }),
        // A rule of this repository's own style the mesh's defaults do not have: double quotes.
        '.eslintrc.json': JSON.stringify({ root: true, parserOptions: { ecmaVersion: 2022, sourceType: 'module' }, rules: { 'prefer-const': 'error', quotes: ['error', 'double'] } }),
      },
      { 'src/greet.js': `export function greet() {\n  let greeting = 'hello';\n  return greeting;\n}\n` },
    );
    expect((await check(repo, '', 'lint')).status).toBe('failed');
    const output = await harness.generate(repo, { kind: 'lint-finding', generator: 'lint-autofix', files: ['src/greet.js'] });
    expect(output.patch.diff).toContain('+  const greeting = "hello";');
    expect(await check(repo, output.patch.diff, 'lint')).toMatchObject({ status: 'passed' });
  }, 300_000);

  it('lint-autofix fixes only the findings the plan named', async () => {
    const repo = await fixture(
      {
        'package.json': JSON.stringify({ name: 'e8', version: '1.0.0', scripts: { lint: 'eslint src' }, devDependencies: { eslint: '8.57.1' } }),
        '.eslintrc.json': JSON.stringify({ root: true, parserOptions: { ecmaVersion: 2022, sourceType: 'module' }, rules: { 'prefer-const': 'error', quotes: ['error', 'double'] } }),
      },
      { 'src/greet.js': `export function greet() {\n  let greeting = 'hello';\n  return greeting;\n}\n` },
    );
    const description = "1 finding ESLint can fix automatically:\nprefer-const (line 2): 'greeting' is never reassigned. Use 'const' instead.";
    const output = await harness.generate(repo, { kind: 'lint-finding', generator: 'lint-autofix', files: ['src/greet.js'], description });
    // prefer-const fixed; the quotes finding (fixable too, but not planned) left as it was.
    expect(output.patch.diff).toContain("+  const greeting = 'hello';");
  }, 300_000);

  it('format on a Biome-only repository runs biome format --write with its configuration', async () => {
    const repo = await fixture(
      {
        'package.json': JSON.stringify({ name: 'biome-only', version: '1.0.0', scripts: { 'format:check': 'biome format src' }, devDependencies: { '@biomejs/biome': '1.9.4' } }),
        'biome.json': JSON.stringify({ formatter: { indentStyle: 'space' }, javascript: { formatter: { quoteStyle: 'single' } } }),
      },
      { 'src/ugly.js': `export const   greeting =   "hello"\n` },
    );
    expect((await check(repo, '', 'format:check')).status).toBe('failed');
    const output = await harness.generate(repo, { kind: 'unformatted-file', generator: 'format', files: ['src/ugly.js'] });
    expect(output.patch.diff).toContain("+export const greeting = 'hello';");
    expect(await check(repo, output.patch.diff, 'format:check')).toMatchObject({ status: 'passed' });
  }, 300_000);

  it('organize-imports leaves what the repository formatter accepts (Prettier 2 check passes after the change)', async () => {
    const repo = await fixture(
      { 'package.json': JSON.stringify({ name: 'oi', version: '1.0.0', type: 'module', scripts: { 'format:check': 'prettier --check src' }, devDependencies: { prettier: '2.8.8' } }), '.prettierrc.json': '{}\n' },
      {
        'src/units.ts': 'export const CM = 2.54;\nexport const MM = 25.4;\n',
        'src/convert.ts': 'import { readFileSync } from "node:fs";\nimport { CM, MM } from "./units";\n\nexport const toCm = (inches: number): number => inches * CM;\n',
      },
    );
    expect((await check(repo, '', 'format:check')).status).toBe('passed');
    const output = await harness.generate(repo, { kind: 'unused-imports', generator: 'organize-imports', files: ['src/convert.ts'] });
    expect(output.patch.diff).toContain('-import { readFileSync } from "node:fs";');
    expect(await check(repo, output.patch.diff, 'format:check')).toMatchObject({ status: 'passed' });
  }, 300_000);
});
