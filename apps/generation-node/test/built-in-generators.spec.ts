import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import { DEFAULT_ESLINT_RULES } from '@autocode/workspace-runtime';
import { createFixtureRepo, type FixtureRepo, MESH_NODE_MODULES, TSC, typescriptProject } from './fixture-repo';
import { GenerationHarness } from './generation-harness';
import { withNpmLockfile } from '@autocode/testing';

/**
 * Each built-in generator on a repository made for its finding, through the
 * generation service with the real sandbox, git and generator runner. For
 * each: the patch applies to a fresh checkout, the repository still
 * type-checks and its tests still pass, and the finding is gone.
 */
describe('built-in generators', () => {
  let harness: GenerationHarness;
  const repos: FixtureRepo[] = [];
  const fixture = (base: Record<string, string>, finding: Record<string, string>) => {
    const repo = createFixtureRepo(base, finding);
    repos.push(repo);
    return repo;
  };

  beforeAll(async () => {
    harness = await GenerationHarness.create();
  });

  afterAll(async () => {
    await harness?.close();
    for (const repo of repos) repo.remove();
  });

  const existingTest = {
    'src/math.ts': 'export function add(a: number, b: number): number {\n  return a + b;\n}\n',
    'test/math.test.ts': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../src/math';\n\ntest('adds', () => {\n  assert.equal(add(2, 3), 5);\n});\n",
  };

  // ESLint and Prettier load configs with dynamic import(), which jest's module system cannot do: they run as child processes.
  const lint = (workspace: EphemeralWorkspace, file: string, defaults: boolean) =>
    harness.script<{ fixableErrorCount: number; errorCount: number }>(
      workspace,
      `const { ESLint } = require(${JSON.stringify(join(MESH_NODE_MODULES, 'eslint'))});
       const load = (name) => require(require.resolve(name, { paths: [${JSON.stringify(MESH_NODE_MODULES)}] }));
       // The generator's default: the recommended rules the planner reports with, plus its own fixable ones.
       const defaults = [
         { files: ['**/*.{js,ts}'], ...load('@eslint/js').configs.recommended },
         ...load('typescript-eslint').configs.recommended.map((c) => ({ ...c, files: c.files ?? ['**/*.ts'] })),
         { rules: { 'no-undef': 'off' } },
         { files: ['**/*.{js,ts}'], rules: ${JSON.stringify(DEFAULT_ESLINT_RULES)} },
       ];
       const eslint = new ESLint(${defaults} ? { cwd: process.cwd(), overrideConfigFile: true, overrideConfig: defaults } : { cwd: process.cwd() });
       eslint.lintFiles([${JSON.stringify(file)}]).then(([r]) => console.log(JSON.stringify({ fixableErrorCount: r.fixableErrorCount, errorCount: r.errorCount })));`,
    );
  const isFormatted = (workspace: EphemeralWorkspace, file: string) =>
    harness.script<boolean>(
      workspace,
      `const prettier = require(${JSON.stringify(join(MESH_NODE_MODULES, 'prettier'))});
       const path = require('node:path').resolve(${JSON.stringify(file)});
       (async () => {
         const options = await prettier.resolveConfig(path);
         console.log(JSON.stringify(await prettier.check(require('node:fs').readFileSync(path, 'utf8'), { ...options, filepath: path })));
       })();`,
    );

  /** tsc (which also builds the tests) and node --test over the build, in the sandbox. */
  async function expectTypeChecksAndTestsPass(workspace: EphemeralWorkspace, extraCompilerFlags: string[] = []): Promise<void> {
    const typeCheck = await harness.typeCheck(workspace, extraCompilerFlags);
    expect({ exit: typeCheck.exitCode, out: typeCheck.stdout }).toEqual({ exit: 0, out: '' });
    const tests = await harness.run(workspace, process.execPath, ['--test', 'build/test/']);
    expect({ exit: tests.exitCode, out: tests.stdout.includes('# fail 0') }).toEqual({ exit: 0, out: true });
  }

  describe('lint-autofix', () => {
    it("fixes what the repository's own ESLint and config report, and only that", async () => {
      const repo = fixture(
        await withNpmLockfile({
          'package.json': JSON.stringify({ name: 'js-fixture', type: 'module', scripts: { test: 'node --test test/' }, devDependencies: { eslint: '9.39.5' } }),
          'eslint.config.js': "export default [{ files: ['**/*.js'], rules: { 'no-var': 'error', 'prefer-const': 'error', eqeqeq: 'error' } }];\n",
          'test/tax.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { tax } from '../src/tax.js';\n\ntest('taxes', () => {\n  assert.equal(tax(100, 'CA'), 7);\n  assert.equal(tax(100, 'XX'), 0);\n});\n",
        }),
        {
          'src/tax.js':
            "export function tax(cents, state) {\n  var rates = { CA: 0.07, NY: 0.04 };\n  let rate = rates[state];\n  if (typeof rate == 'undefined') return 0;\n  return Math.round(cents * rate);\n}\n",
        },
      );
      await harness.withPatched(repo, '', async (workspace) => expect(await lint(workspace, 'src/tax.js', false)).toMatchObject({ fixableErrorCount: 3 }));

      const output = await harness.generate(repo, { kind: 'lint-finding', generator: 'lint-autofix', files: ['src/tax.js'] });
      expect(output).toMatchObject({ generator: 'lint-autofix', outcome: 'patch', patch: { filesChanged: 1 } });
      expect(output.patch.diff).toContain('+  const rates');
      expect(output.patch.diff).toContain("+  if (typeof rate === 'undefined') return 0;");

      await harness.withPatched(repo, output.patch.diff, async (workspace) => {
        expect(await lint(workspace, 'src/tax.js', false)).toEqual({ fixableErrorCount: 0, errorCount: 0 });
        const tests = await harness.run(workspace, process.execPath, ['--test', 'test/']);
        expect(tests.exitCode).toBe(0);
        const check = await harness.run(workspace, process.execPath, [TSC, '--allowJs', '--checkJs', '--noEmit', '--module', 'nodenext', '--target', 'es2022', 'src/tax.js']);
        expect(check.stdout).toBe('');
      });
    }, 300_000);

    it('uses the default rules in a TypeScript repository without an ESLint config when its autocode.yaml asks', async () => {
      const repo = fixture(
        { ...typescriptProject(), ...existingTest, 'autocode.yaml': 'tools:\n  eslint: default\n' },
        { 'src/shapes.ts': 'export function area(width: number, height: number): number {\n  var result = width * height;\n  let unit = 1;\n  return result * unit;\n}\n' },
      );
      await harness.withPatched(repo, '', async (workspace) => expect((await lint(workspace, 'src/shapes.ts', true)).fixableErrorCount).toBe(2));

      const output = await harness.generate(repo, { kind: 'lint-finding', generator: 'lint-autofix', files: ['src/shapes.ts'] });
      expect(output.outcome).toBe('patch');
      await harness.withPatched(repo, output.patch.diff, async (workspace) => {
        expect(await lint(workspace, 'src/shapes.ts', true)).toEqual({ fixableErrorCount: 0, errorCount: 0 });
        await expectTypeChecksAndTestsPass(workspace);
      });
    });

    it('imposes no ESLint on a repository without one: the task fails, saying why', async () => {
      const repo = fixture({ ...typescriptProject(), ...existingTest }, { 'src/shapes.ts': 'export function area(w: number): number {\n  var r = w;\n  return r;\n}\n' });
      await expect(harness.generate(repo, { kind: 'lint-finding', generator: 'lint-autofix', files: ['src/shapes.ts'] })).rejects.toMatchObject({
        name: 'NonRetryableTaskError',
        message: expect.stringMatching(/runs only the repository's own ESLint: the repository has no ESLint configuration/),
      });
    });

    it('reports no-change for a clean file', async () => {
      const repo = fixture({ ...typescriptProject(), ...existingTest, 'autocode.yaml': 'tools:\n  eslint: default\n' }, {});
      const output = await harness.generate(repo, { kind: 'lint-finding', generator: 'lint-autofix', files: ['src/math.ts'] });
      expect(output).toEqual({ generator: 'lint-autofix', outcome: 'no-change', patch: { diff: '', filesChanged: 0, insertions: 0, deletions: 0 } });
    });
  });

  describe('format', () => {
    it("formats with the repository's Prettier and its config", async () => {
      const ugly = 'export function greet(name: string): string\n{\n    return "Hello, " + name\n}\n';
      const project = typescriptProject();
      const manifest = { ...JSON.parse(project['package.json']), devDependencies: { prettier: '3.3.3' } };
      const base = await withNpmLockfile({ ...project, 'package.json': JSON.stringify(manifest), ...existingTest, '.prettierrc.json': '{ "singleQuote": true, "printWidth": 100 }\n' });
      const repo = fixture(base, { 'src/greet.ts': ugly });
      await harness.withPatched(repo, '', async (workspace) => expect(await isFormatted(workspace, 'src/greet.ts')).toBe(false));

      const output = await harness.generate(repo, { kind: 'unformatted-file', generator: 'format', files: ['src/greet.ts'] });
      expect(output.patch.diff).toContain("+  return 'Hello, ' + name;");
      await harness.withPatched(repo, output.patch.diff, async (workspace) => {
        expect(await isFormatted(workspace, 'src/greet.ts')).toBe(true);
        await expectTypeChecksAndTestsPass(workspace);
      });
    }, 300_000);
  });

  describe('organize-imports', () => {
    it('removes unused imports and nothing else', async () => {
      const repo = fixture(
        { ...typescriptProject(), ...existingTest },
        {
          'src/units.ts': "export const CM_PER_INCH = 2.54;\nexport function round2(value: number): number {\n  return Math.round(value * 100) / 100;\n}\n",
          'src/convert.ts':
            "import { readFileSync } from 'node:fs';\nimport { CM_PER_INCH, round2 } from './units';\nimport { add } from './math';\n\nexport function inchesToCm(inches: number): number {\n  return round2(inches * CM_PER_INCH);\n}\n",
        },
      );
      const output = await harness.generate(repo, { kind: 'unused-imports', generator: 'organize-imports', files: ['src/convert.ts'] });
      expect(output.patch).toMatchObject({ filesChanged: 1, insertions: 0, deletions: 2 });
      expect(output.patch.diff).toContain("-import { readFileSync } from 'node:fs';");
      expect(output.patch.diff).toContain("-import { add } from './math';");

      // Under --noUnusedLocals the compiler reports unused imports as errors: none are left.
      await harness.withPatched(repo, output.patch.diff, (workspace) => expectTypeChecksAndTestsPass(workspace, ['--noUnusedLocals']));
      // The finding was real: the same strict check fails before the patch.
      await harness.withPatched(repo, '', async (workspace) => {
        const before = await harness.typeCheck(workspace, ['--noUnusedLocals', '--noEmit']);
        expect(before.stdout).toMatch(/src\/convert\.ts.*TS6133/);
      });
    });
  });

  describe('doc-comments', () => {
    const geometry = [
      'export interface Point {',
      '  x: number;',
      '  y: number;',
      '}',
      '',
      'export function distance(a: Point, b: Point = { x: 0, y: 0 }): number {',
      '  return Math.hypot(a.x - b.x, a.y - b.y);',
      '}',
      '',
      'export class Polygon {',
      '  constructor(readonly points: Point[]) {}',
      '}',
      '',
    ].join('\n');

    it('leaves TypeScript alone: its signatures already carry what a doc comment without a model could say', async () => {
      const repo = fixture({ ...typescriptProject(), ...existingTest }, { 'src/geometry.ts': geometry });
      const output = await harness.generate(repo, { kind: 'undocumented-export', generator: 'doc-comments', files: ['src/geometry.ts'] });
      expect(output).toEqual({ generator: 'doc-comments', outcome: 'no-change', patch: { diff: '', filesChanged: 0, insertions: 0, deletions: 0 } });
    });

    const jsProject = {
      'package.json': JSON.stringify({ name: 'js-fixture', type: 'module' }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { allowJs: true, checkJs: true, noEmit: true, strict: true, noImplicitAny: false, module: 'nodenext', target: 'es2022', types: [] }, include: ['src/**/*.js'] }),
    };
    const report = [
      '/**',
      ' * A line per item.',
      ' * @param {Array<{ sku: string }>} items',
      ' */',
      '// eslint-disable-next-line no-unused-vars',
      'export function lines(items, unused) {',
      "  return items.map((i) => i.sku).join('\\n');",
      '}',
      '',
      '// Counts the items (a plain comment is documentation too: not duplicated).',
      'export function tally(items) {',
      '  return Number(items.length);',
      '}',
      '',
      "export function summarize(items, separator = ', ') {",
      '  return String(items.length) + separator;',
      '}',
      '',
      '// eslint-disable-next-line no-console',
      'export function count(items) {',
      '  return Number(items.length);',
      '}',
      '',
      'export function passThrough(value) {',
      '  return value;',
      '}',
      '',
    ].join('\n');

    /** The comment blocks the patch adds, line by line. */
    const added = (diff: string) => diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).map((l) => l.slice(1));

    it('adds only the JavaScript types the checker knows, never a sentence, and never over an existing comment', async () => {
      const repo = fixture(jsProject, { 'src/report.js': report });
      const output = await harness.generate(repo, { kind: 'undocumented-export', generator: 'doc-comments', files: ['src/report.js'] });
      expect(output).toMatchObject({ outcome: 'patch', patch: { filesChanged: 1, deletions: 0 } });
      expect(added(output.patch.diff)).toEqual([
        '/**',
        ' * @param items',
        " * @param {string} [separator=', ']",
        ' * @returns {string}',
        ' */',
        // Above the directive, which must stay on the line before the code it disables; no bare parameter names.
        '/** @returns {number} */',
      ]);
      await harness.withPatched(repo, output.patch.diff, async (workspace) => {
        const patched = readFileSync(join(workspace.root, 'src/report.js'), 'utf8');
        expect(patched).toContain('/** @returns {number} */\n// eslint-disable-next-line no-console\nexport function count(items)');
        // The documented and the commented functions are as they were; `passThrough` has no known type to add.
        expect(patched).toContain(report.slice(0, report.indexOf('export function summarize')));
        expect(patched).toContain('\nexport function passThrough(value) {');
        expect(patched).not.toMatch(/\*\/\nexport function passThrough/);
        const check = await harness.run(workspace, process.execPath, [TSC, '-p', 'tsconfig.json']);
        expect({ exit: check.exitCode, out: check.stdout }).toEqual({ exit: 0, out: '' });
      });
      const again = await harness.generate(repo, { kind: 'undocumented-export', generator: 'doc-comments', files: ['src/report.js'] });
      expect(again.patch.diff).toBe(output.patch.diff);
    });

    it('changes nothing where the checker knows no types', async () => {
      const repo = fixture(jsProject, { 'src/identity.js': 'export function identity(value) {\n  return value;\n}\n\nexport class Box {}\n' });
      const output = await harness.generate(repo, { kind: 'undocumented-export', generator: 'doc-comments', files: ['src/identity.js'] });
      expect(output).toMatchObject({ outcome: 'no-change', patch: { diff: '' } });
    });
  });

  // Each case records the module in two separate processes and type-checks or runs the result: slower than the other generators.
  describe('test-scaffold', () => {
    const pricing = [
      "export type Tier = 'basic' | 'pro';",
      '',
      'export interface LineItem {',
      '  sku: string;',
      '  quantity: number;',
      '  unitCents: number;',
      '}',
      '',
      'export function subtotal(items: LineItem[]): number {',
      '  return items.reduce((sum, item) => sum + item.quantity * item.unitCents, 0);',
      '}',
      '',
      'export function discount(cents: number, tier: Tier): number {',
      "  return tier === 'pro' ? Math.round(cents * 0.9) : cents;",
      '}',
      '',
      'export function label(sku: string): string {',
      "  if (sku.length === 0) throw new RangeError('a SKU cannot be empty');",
      '  return sku.toUpperCase();',
      '}',
      '',
      'export async function quote(items: LineItem[]): Promise<string> {',
      '  return `${subtotal(items)} cents`;',
      '}',
      '',
      'export class Cart {',
      '  private readonly items: LineItem[] = [];',
      '',
      '  add(item: LineItem): number {',
      '    this.items.push(item);',
      '    return this.items.length;',
      '  }',
      '',
      '  total(): number {',
      '    return subtotal(this.items);',
      '  }',
      '}',
      '',
    ].join('\n');

    it('writes a TypeScript test that compiles, passes, and fails when the behaviour changes', async () => {
      const repo = fixture({ ...typescriptProject(), ...existingTest }, { 'src/pricing.ts': pricing });
      const output = await harness.generate(repo, { kind: 'untested-module', generator: 'test-scaffold', files: ['src/pricing.ts'] });
      expect(output.patch).toMatchObject({ filesChanged: 1, deletions: 0 });
      expect(output.patch.diff).toContain('diff --git a/test/pricing.test.ts b/test/pricing.test.ts');
      expect(output.patch.diff).toContain("+import { Cart, discount, label, quote, subtotal } from '../src/pricing';");
      expect(output.patch.diff).toMatch(/\+ {2}assert\.deepStrictEqual\(discount\(7, 'pro'\), 6\);/);
      expect(output.patch.diff).toContain("+  assert.throws(() => label(''), { name: 'RangeError', message: 'a SKU cannot be empty' });");
      expect(output.patch.diff).toMatch(/\+ {2}assert\.deepStrictEqual\(await quote\(\[\]\), '0 cents'\);/);
      expect(output.patch.diff).toMatch(/\+ {2}assert\.deepStrictEqual\(cart\.total\(\), \d+\);/);
      // Real assertions, not placeholders.
      expect((output.patch.diff.match(/assert\.(deepStrictEqual|throws|rejects|strictEqual)\(/g) ?? []).length).toBeGreaterThanOrEqual(10);

      await harness.withPatched(repo, output.patch.diff, async (workspace) => {
        await expectTypeChecksAndTestsPass(workspace);
        // A behaviour change the test must catch: pro customers lose their discount.
        const file = join(workspace.root, 'src/pricing.ts');
        writeFileSync(file, readFileSync(file, 'utf8').replace('Math.round(cents * 0.9)', 'cents'));
        expect((await harness.typeCheck(workspace)).exitCode).toBe(0);
        const tests = await harness.run(workspace, process.execPath, ['--test', 'build/test/']);
        expect(tests.exitCode).not.toBe(0);
        expect(tests.stdout).toMatch(/not ok .* discount/);
      });
      const again = await harness.generate(repo, { kind: 'untested-module', generator: 'test-scaffold', files: ['src/pricing.ts'] });
      expect(again.patch.diff).toBe(output.patch.diff);
    }, 420_000);

    it('writes an ES-module JavaScript test next to the existing ones, using typed parameters of the repository for untyped ones', async () => {
      const repo = fixture(
        {
          'package.json': JSON.stringify({ name: 'js-fixture', type: 'module', scripts: { test: 'node --test test/' } }),
          'src/pricing.js': '/**\n * @param {{ quantity: number, unitPriceCents: number }[]} items\n * @returns {number}\n */\nexport function totalCents(items) {\n  return items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);\n}\n',
          'test/pricing.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { totalCents } from '../src/pricing.js';\n\ntest('totals', () => assert.equal(totalCents([]), 0));\n",
        },
        { 'src/report.js': "import { totalCents } from './pricing.js';\n\nexport function summarize(items, currency) {\n  return `${items.length} lines, ${totalCents(items)} ${currency}`;\n}\n" },
      );
      const output = await harness.generate(repo, { kind: 'untested-module', generator: 'test-scaffold', files: ['src/report.js'] });
      expect(output.patch.diff).toContain('diff --git a/test/report.test.js b/test/report.test.js');
      expect(output.patch.diff).toContain("+import { summarize } from '../src/report.js';");
      expect(output.patch.diff).toContain("summarize([{ quantity: 7, unitPriceCents: 7 }, { quantity: 0, unitPriceCents: 0 }], 'Blue Widget')");
      expect(output.patch.diff).toContain("'2 lines, 49 Blue Widget'");
      await harness.withPatched(repo, output.patch.diff, async (workspace) => {
        const tests = await harness.run(workspace, process.execPath, ['--test', 'test/']);
        expect(tests.exitCode).toBe(0);
        expect(tests.stdout).toContain('# pass 2');
      });
    }, 420_000);

    it('loads a module at the top of a thousand-deep import chain', async () => {
      const chain: Record<string, string> = {};
      for (let i = 0; i < 1000; i += 1) {
        chain[`src/step-${i}.ts`] =
          i === 999 ? 'export function step999(n: number): number {\n  return n;\n}\n' : `import { step${i + 1} } from './step-${i + 1}';\n\nexport function step${i}(n: number): number {\n  return step${i + 1}(n) + 1;\n}\n`;
      }
      const repo = fixture({ ...typescriptProject(), ...existingTest }, chain);
      const output = await harness.generate(repo, { kind: 'untested-module', generator: 'test-scaffold', files: ['src/step-0.ts'] });
      expect(output.patch.diff).toContain('+  assert.deepStrictEqual(step0(7), 1006);');
    }, 420_000);

    it('declines, with no patch, a module it cannot exercise', async () => {
      const repo = fixture({ ...typescriptProject(), ...existingTest }, { 'src/io.ts': 'export function run(callback: (err: Error | null, data: Buffer) => void, handle: WeakMap<object, number>): void {\n  void callback;\n  void handle;\n}\n' });
      const output = await harness.generate(repo, { kind: 'untested-module', generator: 'test-scaffold', files: ['src/io.ts'] });
      expect(output).toMatchObject({ outcome: 'no-change', patch: { diff: '' } });
    }, 420_000);
  });

});
