import { detectTestSetup, frameworkInCommand, type RepositoryTree, type TestSetup } from './test-setup-detection';

/** A repository as the detection sees it: paths and their text. */
const tree = (files: Record<string, string>): RepositoryTree => ({ files: Object.keys(files).sort(), read: (path) => files[path] });
const pkg = (fields: Record<string, unknown>) => JSON.stringify({ name: 'fixture', version: '1.0.0', ...fields });

function setupOf(files: Record<string, string>, source: string): TestSetup {
  const detected = detectTestSetup(tree(files), source);
  if (!detected.found) throw new Error(`expected a test setup, got: ${detected.reason}`);
  return detected.setup;
}

describe('detectTestSetup', () => {
  it('mocha + chai in CommonJS: tests in test/, plain names, chai expect, require without extension', () => {
    const setup = setupOf(
      {
        'package.json': pkg({ main: 'lib/index.js', scripts: { test: 'mocha' }, devDependencies: { mocha: '^10.0.0', chai: '^4.3.0' } }),
        'lib/index.js': "module.exports = require('./parse');\n",
        'lib/parse.js': 'exports.parse = (s) => s;\n',
        'lib/format.js': 'exports.format = (s) => s;\n',
        'test/parse.js': "const { expect } = require('chai');\nconst { parse } = require('../lib/parse');\n\ndescribe('parse', () => {\n  it('parses', () => expect(parse('a')).to.equal('a'));\n});\n",
        'test/fixtures/sample.js': 'module.exports = {};\n',
      },
      'lib/format.js',
    );
    expect(setup).toMatchObject({
      framework: 'mocha',
      assertion: 'chai-expect',
      moduleSyntax: 'cjs',
      language: 'js',
      extension: '.js',
      naming: { kind: 'plain' },
      placement: { type: 'mapped', sourceDir: 'lib', testDir: 'test', flat: true },
      importExtension: 'none',
    });
  });

  it('mocha + node:assert, with `.spec.js` names from .mocharc', () => {
    const setup = setupOf(
      {
        'package.json': pkg({ scripts: { test: 'npm run unit' , unit: 'mocha' }, devDependencies: { mocha: '10' } }),
        '.mocharc.yml': "spec: 'test/**/*.spec.js'\n",
        'src/a.js': 'exports.a = 1;\n',
        'test/a.spec.js': "const assert = require('node:assert');\nconst { a } = require('../src/a');\ndescribe('a', () => it('is 1', () => assert.strictEqual(a, 1)));\n",
      },
      'src/b.js',
    );
    expect(setup).toMatchObject({ framework: 'mocha', assertion: 'node-assert', nodeAssertModule: 'node:assert', naming: { kind: 'suffix', suffix: 'spec' } });
  });

  it('mocha + chai assert and mocha + should', () => {
    const base = { 'package.json': pkg({ scripts: { test: 'mocha test/' } }), 'src/a.js': '' };
    expect(setupOf({ ...base, 'test/a.test.js': "const { assert } = require('chai');\ndescribe('a', () => it('x', () => assert.equal(1, 1)));\n" }, 'src/a.js').assertion).toBe('chai-assert');
    expect(setupOf({ ...base, 'test/a.test.js': "const should = require('should');\ndescribe('a', () => it('x', () => should(1).eql(1)));\n" }, 'src/a.js').assertion).toBe('should');
  });

  it('jest with colocated `.test.ts` tests and globals', () => {
    const setup = setupOf(
      {
        'package.json': pkg({ scripts: { test: 'jest' }, devDependencies: { jest: '^29.0.0', 'ts-jest': '^29.0.0' } }),
        'jest.config.js': "module.exports = { preset: 'ts-jest' };\n",
        'src/sum.ts': 'export const sum = (a: number, b: number) => a + b;\n',
        'src/sum.test.ts': "import { sum } from './sum';\n\ndescribe('sum', () => it('adds', () => expect(sum(1, 2)).toBe(3)));\n",
      },
      'src/other.ts',
    );
    expect(setup).toMatchObject({ framework: 'jest', assertion: 'expect', importsTestApi: false, language: 'ts', extension: '.ts', naming: { kind: 'suffix', suffix: 'test' }, placement: { type: 'colocated' }, importExtension: 'none' });
  });

  it('jest tests in __tests__ importing @jest/globals', () => {
    const setup = setupOf(
      {
        'package.json': pkg({ jest: { testEnvironment: 'node' } }),
        'src/a.js': '',
        '__tests__/a.test.js': "const { expect, it } = require('@jest/globals');\nconst { a } = require('../src/a');\nit('a', () => expect(a).toBe(1));\n",
      },
      'src/b.js',
    );
    expect(setup).toMatchObject({ framework: 'jest', importsTestApi: true, moduleSyntax: 'cjs', placement: { type: 'mapped', sourceDir: 'src', testDir: '__tests__' } });
  });

  it('vitest in an ES-module TypeScript package: tests in tests/, `.spec.ts`, imports with .js', () => {
    const setup = setupOf(
      {
        'package.json': pkg({ type: 'module', scripts: { test: 'vitest run' }, devDependencies: { vitest: '^2.0.0' } }),
        'vitest.config.ts': 'export default {};\n',
        'src/lib/a.ts': '',
        'tests/lib/a.spec.ts': "import { describe, expect, it } from 'vitest';\nimport { a } from '../../src/lib/a.js';\ndescribe('a', () => it('x', () => expect(a).toBe(1)));\n",
      },
      'src/lib/b.ts',
    );
    expect(setup).toMatchObject({
      framework: 'vitest',
      importsTestApi: true,
      moduleSyntax: 'esm',
      language: 'ts',
      naming: { kind: 'suffix', suffix: 'spec' },
      placement: { type: 'mapped', sourceDir: 'src', testDir: 'tests', flat: false },
      importExtension: 'js',
    });
  });

  it('node:test from `node --test`, ES modules by package type', () => {
    const setup = setupOf(
      {
        'package.json': pkg({ type: 'module', scripts: { test: 'node --test test/*.test.js' } }),
        'src/a.js': '',
        'test/a.test.js': "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { a } from '../src/a.js';\ntest('a', () => assert.equal(a, 1));\n",
      },
      'src/b.js',
    );
    expect(setup).toMatchObject({ framework: 'node', assertion: 'node-assert', nodeAssertModule: 'node:assert/strict', moduleSyntax: 'esm', importExtension: 'source', placement: { type: 'mapped', sourceDir: 'src', testDir: 'test' } });
  });

  it('ava with `test-*.js` names, and uvu from the dependency alone', () => {
    const ava = setupOf(
      {
        'package.json': pkg({ scripts: { test: 'ava' }, devDependencies: { ava: '^6.0.0' } }),
        'index.js': '',
        'test/test-index.js': "const test = require('ava');\nconst lib = require('..');\ntest('x', (t) => t.pass());\n",
      },
      'util.js',
    );
    expect(ava).toMatchObject({ framework: 'ava', assertion: 'ava', naming: { kind: 'prefix', prefix: 'test-' }, moduleSyntax: 'cjs' });
    const uvu = setupOf({ 'package.json': pkg({ type: 'module', devDependencies: { uvu: '^0.5.0' } }), 'src/a.js': '' }, 'src/a.js');
    expect(uvu).toMatchObject({ framework: 'uvu', assertion: 'uvu', moduleSyntax: 'esm', extension: '.js', placement: { type: 'mapped', sourceDir: 'src', testDir: 'test', flat: true } });
  });

  it('tests that require the package by name reach its entry module by name', () => {
    const setup = setupOf(
      {
        'package.json': pkg({ name: 'tiny-lib', main: './index.js', scripts: { test: 'mocha' }, devDependencies: { mocha: '10', chai: '4' } }),
        'index.js': '',
        'test/index.js': "const { expect } = require('chai');\nconst lib = require('tiny-lib');\ndescribe('lib', () => it('x', () => expect(lib).to.be.ok));\n",
      },
      'index.js',
    );
    expect(setup.packageImport).toEqual({ name: 'tiny-lib', entry: 'index.js' });
  });

  it('finds no framework where there is none, and says why', () => {
    const none = detectTestSetup(tree({ 'package.json': pkg({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }), 'src/a.js': '' }), 'src/a.js');
    expect(none).toEqual({ found: false, reason: expect.stringContaining('uses no test framework') });
    expect(detectTestSetup(tree({ 'src/a.js': '' }), 'src/a.js').found).toBe(false);
  });

  it('uses the framework autocode.yaml asks for only where the repository has none', () => {
    const none = { 'package.json': pkg({ type: 'module' }), 'src/a.js': '' };
    expect(detectTestSetup(tree(none), 'src/a.js', { requestedFramework: 'node' })).toMatchObject({ found: true, setup: { framework: 'node', moduleSyntax: 'esm', placement: { type: 'mapped', sourceDir: 'src', testDir: 'test' } } });
    const mocha = { ...none, 'package.json': pkg({ scripts: { test: 'mocha' } }) };
    expect(detectTestSetup(tree(mocha), 'src/a.js', { requestedFramework: 'node' })).toMatchObject({ found: true, setup: { framework: 'mocha' } });
  });

  it('does not write a JavaScript test for a TypeScript module where nothing shows how the runner loads TypeScript', () => {
    const detected = detectTestSetup(
      tree({ 'package.json': pkg({ scripts: { test: 'mocha' } }), 'src/a.ts': '', 'test/a.js': "describe('a', () => it('x', () => {}));\n" }),
      'src/a.ts',
    );
    expect(detected).toEqual({ found: false, reason: expect.stringContaining('no existing test shows how mocha loads TypeScript') });
  });
});

describe('frameworkInCommand', () => {
  it.each([
    ['jest --coverage', 'jest'],
    ['vitest run', 'vitest'],
    ['nyc mocha --recursive', 'mocha'],
    ['node --test test/', 'node'],
    ['node --experimental-strip-types --test', 'node'],
    ['c8 ava', 'ava'],
    ['uvu tests', 'uvu'],
    ['tsc && node dist/run-tests.js', undefined],
  ])('%s → %s', (command, framework) => {
    expect(frameworkInCommand(command)).toBe(framework);
  });
});
