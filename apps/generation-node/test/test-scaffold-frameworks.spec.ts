import type { EphemeralWorkspace, SandboxRunResult } from '@autocode/sandbox';
import { createFixtureRepo, type FixtureRepo } from './fixture-repo';
import { FIXTURE_CACHE_DIR, installedFrameworks, linkNodeModules, NPM_CLI } from './framework-fixtures';
import { GenerationHarness } from './generation-harness';

/**
 * test-scaffold on repositories shaped like real ones, each with its own
 * test framework installed from the npm registry (exact versions, cached
 * in FIXTURE_CACHE_DIR): the generator runs through the real sandboxed
 * runner, its patch is applied to a fresh checkout, and the repository's
 * own `npm test` runs in the sandbox and must pass, with the new test
 * named and placed like the existing ones, in the framework's idiom.
 */
describe('test-scaffold in the repository’s own test framework', () => {
  let harness: GenerationHarness;
  const repos: FixtureRepo[] = [];
  const MOCHA = { mocha: '10.8.2', chai: '4.5.0' };
  const JEST = { jest: '29.7.0' };
  const VITEST = { vitest: '2.1.9' };
  const installed: Record<string, Promise<string>> = {};

  beforeAll(async () => {
    harness = await GenerationHarness.create();
    // Installs are network-bound: start all three at once (each is a no-op when cached).
    installed.mocha = installedFrameworks(MOCHA);
    installed.jest = installedFrameworks(JEST);
    installed.vitest = installedFrameworks(VITEST);
    await Promise.all(Object.values(installed));
  }, 900_000);

  afterAll(async () => {
    await harness?.close();
    for (const repo of repos) repo.remove();
  });

  const fixture = (base: Record<string, string>, finding: Record<string, string>) => {
    const repo = createFixtureRepo({ '.gitignore': 'node_modules/\n', ...base }, finding);
    repos.push(repo);
    return repo;
  };
  const packageJson = (fields: Record<string, unknown>) => `${JSON.stringify({ version: '1.0.0', private: true, ...fields }, null, 2)}\n`;
  const generate = (repo: FixtureRepo, file: string) => harness.generate(repo, { kind: 'untested-module', generator: 'test-scaffold', files: [file] });
  const addedFiles = (diff: string) => [...diff.matchAll(/^diff --git a\/(\S+) b\/\S+\nnew file mode/gm)].map((m) => m[1]);

  /** The repository's own `npm test` on the patched checkout, in the sandbox, with its frameworks linked in. */
  async function npmTest(repo: FixtureRepo, diff: string, frameworks?: Promise<string>): Promise<SandboxRunResult> {
    const modules = frameworks ? await frameworks : undefined;
    return harness.withPatched(repo, diff, async (workspace: EphemeralWorkspace) => {
      if (modules) linkNodeModules(workspace.root, modules);
      return harness.sandbox.run({ ...workspace.sandboxPaths, command: process.execPath, args: [NPM_CLI, 'test'], env: { CI: 'true' }, timeoutMs: 240_000, readOnlyPaths: [FIXTURE_CACHE_DIR] });
    });
  }

  it('mocha + chai, CommonJS: a plain-named test in test/ with chai expect, only for calls that behave the same in two processes', async () => {
    const repo = fixture(
      {
        'package.json': packageJson({ name: 'mocha-fixture', main: 'lib/index.js', scripts: { test: 'mocha' }, devDependencies: MOCHA }),
        'lib/slug.js': "function slug(text) {\n  return text.toLowerCase().replace(/\\s+/g, '-');\n}\n\nmodule.exports = { slug };\n",
        'test/slug.js': "const { expect } = require('chai');\nconst { slug } = require('../lib/slug');\n\ndescribe('slug', () => {\n  it('dashes spaces', () => {\n    expect(slug('A b')).to.equal('a-b');\n  });\n});\n",
      },
      {
        'lib/range.js': [
          "const bootId = Math.random().toString(36).slice(2);",
          '',
          '/**',
          ' * @param {number} value',
          ' * @param {number} min',
          ' * @param {number} max',
          ' * @returns {number}',
          ' */',
          'function clamp(value, min, max) {',
          "  if (min > max) throw new RangeError('min must not exceed max');",
          '  return Math.min(Math.max(value, min), max);',
          '}',
          '',
          '/** @param {string} label @returns {string} */',
          'function stamp(label) {',
          '  return `${label}@${Date.now()}`;',
          '}',
          '',
          '/** @returns {string} */',
          'function token() {',
          '  return Math.random().toString(36).slice(2);',
          '}',
          '',
          '/** @returns {string} */',
          'function instanceId() {',
          '  return bootId;',
          '}',
          '',
          '/** @param {number} step */',
          'function adder(step) {',
          '  return (n) => n + step;',
          '}',
          '',
          'module.exports = { clamp, stamp, token, instanceId, adder };',
          '',
        ].join('\n'),
      },
    );
    const output = await generate(repo, 'lib/range.js');
    expect(output.outcome).toBe('patch');
    expect(addedFiles(output.patch.diff)).toEqual(['test/range.js']);
    const diff = output.patch.diff;
    expect(diff).toContain("+const { expect } = require('chai');");
    expect(diff).toContain("+const { clamp } = require('../lib/range');");
    expect(diff).toMatch(/\+describe\('range\.js', \(\) => \{/);
    expect(diff).toContain('+    expect(clamp(7, 7, 7)).to.deep.equal(7);');
    // The clock, randomness, a value fixed per process and a returned function: none is asserted.
    for (const left of ['stamp(', 'token(', 'instanceId(', 'adder(']) expect(diff).not.toContain(left);

    const tests = await npmTest(repo, diff, installed.mocha);
    expect(tests.exitCode).toBe(0);
    expect(tests.stdout).toMatch(/\b2 passing\b/);
  }, 600_000);

  it('mocha + chai: no test at all when nothing behaves deterministically', async () => {
    const repo = fixture(
      { 'package.json': packageJson({ name: 'mocha-fixture', scripts: { test: 'mocha' }, devDependencies: MOCHA }), 'test/nothing.js': "describe('x', () => it('y', () => {}));\n" },
      { 'lib/clock.js': '/** @returns {number} */\nfunction now() {\n  return Date.now();\n}\n\n/** @returns {number} */\nfunction dice() {\n  return Math.ceil(Math.random() * 6);\n}\n\nmodule.exports = { now, dice };\n' },
    );
    const output = await generate(repo, 'lib/clock.js');
    expect(output).toMatchObject({ outcome: 'no-change', patch: { diff: '', filesChanged: 0 } });
  }, 600_000);

  it('jest: a `.test.js` in __tests__ with expect().toEqual and toThrow', async () => {
    const repo = fixture(
      {
        'package.json': packageJson({ name: 'jest-fixture', scripts: { test: 'jest' }, devDependencies: JEST }),
        'src/sum.js': 'function sum(a, b) {\n  return a + b;\n}\n\nmodule.exports = { sum };\n',
        '__tests__/sum.test.js': "const { sum } = require('../src/sum');\n\ndescribe('sum', () => {\n  it('adds', () => {\n    expect(sum(1, 2)).toBe(3);\n  });\n});\n",
      },
      {
        'src/words.js':
          "/**\n * @param {string} word\n * @returns {string}\n */\nfunction capitalize(word) {\n  if (!word) throw new TypeError('a word is needed');\n  return word[0].toUpperCase() + word.slice(1);\n}\n\nmodule.exports = { capitalize };\n",
      },
    );
    const output = await generate(repo, 'src/words.js');
    expect(addedFiles(output.patch.diff)).toEqual(['__tests__/words.test.js']);
    expect(output.patch.diff).toContain("+const { capitalize } = require('../src/words');");
    expect(output.patch.diff).toContain("+    expect(capitalize('Blue Widget')).toEqual('Blue Widget');");
    expect(output.patch.diff).toContain("+    expect(() => capitalize('')).toThrow('a word is needed');");
    expect(output.patch.diff).not.toContain('@jest/globals');

    const tests = await npmTest(repo, output.patch.diff, installed.jest);
    expect(tests.exitCode).toBe(0);
    expect(`${tests.stdout}${tests.stderr}`).toMatch(/Tests:\s+2 passed, 2 total/);
  }, 600_000);

  it('vitest, ES-module TypeScript: a `.spec.ts` in tests/ importing from vitest', async () => {
    const repo = fixture(
      {
        'package.json': packageJson({ name: 'vitest-fixture', type: 'module', scripts: { test: 'vitest run' }, devDependencies: VITEST }),
        'src/format.ts': "export function pad(text: string, width: number): string {\n  return text.padStart(width, ' ');\n}\n",
        'tests/format.spec.ts': "import { describe, expect, it } from 'vitest';\nimport { pad } from '../src/format';\n\ndescribe('pad', () => {\n  it('pads', () => {\n    expect(pad('a', 2)).toBe(' a');\n  });\n});\n",
      },
      {
        'src/money.ts': [
          "export type Currency = 'EUR' | 'USD';",
          '',
          'export function cents(amount: number): string {',
          '  return (amount / 100).toFixed(2);',
          '}',
          '',
          'export async function rate(currency: Currency): Promise<number> {',
          "  return currency === 'EUR' ? 1.1 : 1;",
          '}',
          '',
          'export function receiptId(): string {',
          '  return crypto.randomUUID();',
          '}',
          '',
        ].join('\n'),
      },
    );
    const output = await generate(repo, 'src/money.ts');
    expect(addedFiles(output.patch.diff)).toEqual(['tests/money.spec.ts']);
    const diff = output.patch.diff;
    expect(diff).toContain("+import { describe, expect, it } from 'vitest';");
    expect(diff).toContain("+import { cents, rate } from '../src/money';");
    expect(diff).toContain("+    expect(cents(7)).toEqual('0.07');");
    expect(diff).toContain("+    expect(await rate('EUR')).toEqual(1.1);");
    expect(diff).not.toContain('receiptId');

    const tests = await npmTest(repo, diff, installed.vitest);
    expect(tests.exitCode).toBe(0);
    expect(`${tests.stdout}${tests.stderr}`).toMatch(/Tests\s+3 passed \(3\)/);
  }, 600_000);

  it('node:test, CommonJS JavaScript: a `.test.js` in test/ with node:assert', async () => {
    const repo = fixture(
      {
        'package.json': packageJson({ name: 'node-test-fixture', scripts: { test: 'node --test test/' } }),
        'lib/units.js': 'function double(n) {\n  return n * 2;\n}\n\nmodule.exports = { double };\n',
        'test/units.test.js': "const { test } = require('node:test');\nconst assert = require('node:assert');\nconst { double } = require('../lib/units');\n\ntest('doubles', () => {\n  assert.strictEqual(double(2), 4);\n});\n",
      },
      { 'lib/temperature.js': '/**\n * @param {number} celsius\n * @returns {number}\n */\nfunction toFahrenheit(celsius) {\n  return celsius * 9 / 5 + 32;\n}\n\nmodule.exports = { toFahrenheit };\n' },
    );
    const output = await generate(repo, 'lib/temperature.js');
    expect(addedFiles(output.patch.diff)).toEqual(['test/temperature.test.js']);
    expect(output.patch.diff).toContain("+const { test } = require('node:test');");
    expect(output.patch.diff).toContain("+const assert = require('node:assert');");
    expect(output.patch.diff).toContain('+  assert.deepStrictEqual(toFahrenheit(100), 212);');

    const tests = await npmTest(repo, output.patch.diff);
    expect(tests.exitCode).toBe(0);
    expect(tests.stdout).toMatch(/# pass 2\b/);
  }, 600_000);

  it('a repository without a test framework gets no test, unless autocode.yaml names one', async () => {
    const module = { 'lib/units.js': '/** @param {number} n @returns {number} */\nfunction double(n) {\n  return n * 2;\n}\n\nmodule.exports = { double };\n' };
    const bare = fixture({ 'package.json': packageJson({ name: 'no-tests', scripts: { build: 'tsc' } }) }, module);
    expect(await generate(bare, 'lib/units.js')).toMatchObject({ outcome: 'no-change', patch: { diff: '', filesChanged: 0 } });

    const asked = fixture({ 'package.json': packageJson({ name: 'no-tests-yet' }), 'autocode.yaml': 'testScaffold:\n  framework: node\n' }, module);
    const output = await generate(asked, 'lib/units.js');
    expect(addedFiles(output.patch.diff)).toEqual(['test/units.test.js']);
    const tests = await harness.withPatched(asked, output.patch.diff, (workspace) => harness.run(workspace, process.execPath, ['--test', 'test/']));
    expect(tests.exitCode).toBe(0);
    expect(tests.stdout).toMatch(/# pass 1\b/);
  }, 600_000);

  it('leaves a module alone when its imports are not installed in the checkout', async () => {
    const repo = fixture(
      { 'package.json': packageJson({ name: 'mocha-fixture', scripts: { test: 'mocha' }, dependencies: { 'left-pad': '1.3.0' }, devDependencies: MOCHA }), 'test/nothing.js': "describe('x', () => it('y', () => {}));\n" },
      { 'lib/pad.js': "const leftPad = require('left-pad');\n\n/** @param {string} text @returns {string} */\nfunction pad(text) {\n  return leftPad(text, 4);\n}\n\nmodule.exports = { pad };\n" },
    );
    expect(await generate(repo, 'lib/pad.js')).toMatchObject({ outcome: 'no-change', patch: { diff: '', filesChanged: 0 } });
  }, 600_000);
});
