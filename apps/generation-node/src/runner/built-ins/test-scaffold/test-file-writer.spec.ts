import type { Recording } from './behaviour-recorder';
import { renderTestFile } from './test-file-writer';
import type { TestSetup } from './test-setup-detection';

const recording: Recording = {
  functions: [
    {
      spec: { exportName: 'label', localName: 'label', kind: 'function', params: [], methods: [] },
      calls: [
        { args: ["'a-1'"], outcome: { kind: 'returned', awaited: false, literal: "'A-1'", typeOf: 'string' } },
        { args: ["''"], outcome: { kind: 'threw', awaited: false, name: 'RangeError', message: 'empty', isError: true } },
      ],
    },
    { spec: { exportName: 'quote', localName: 'quote', kind: 'function', params: [], methods: [] }, calls: [{ args: ['[]'], outcome: { kind: 'threw', awaited: true, name: 'Error', message: 'no items', isError: true } }] },
  ],
  classes: [],
  skipped: [],
};

const base: TestSetup = {
  framework: 'node',
  assertion: 'node-assert',
  nodeAssertModule: 'node:assert/strict',
  importsTestApi: false,
  moduleSyntax: 'esm',
  language: 'js',
  extension: '.js',
  naming: { kind: 'suffix', suffix: 'test' },
  placement: { type: 'mapped', sourceDir: 'src', testDir: 'test', flat: true },
  importExtension: 'source',
};
const render = (setup: Partial<TestSetup>) => renderTestFile({ sourceFile: 'src/pricing.js', specifier: '../src/pricing.js', recording, setup: { ...base, ...setup } });

describe('renderTestFile', () => {
  it('ava: test(t => …) with t.deepEqual, t.throws and t.throwsAsync', () => {
    const text = render({ framework: 'ava', assertion: 'ava', moduleSyntax: 'cjs' });
    expect(text).toContain("const test = require('ava');");
    expect(text).toContain("const { label, quote } = require('../src/pricing.js');");
    expect(text).toContain("test('label', (t) => {\n  t.deepEqual(label('a-1'), 'A-1');\n  t.throws(() => label(''), { name: 'RangeError', message: 'empty' });\n});");
    expect(text).toContain("test('quote', async (t) => {\n  await t.throwsAsync(async () => quote([]), { name: 'Error', message: 'no items' });\n});");
  });

  it('uvu: test() with uvu/assert, and test.run() at the end', () => {
    const text = render({ framework: 'uvu', assertion: 'uvu' });
    expect(text).toContain("import { test } from 'uvu';\nimport * as assert from 'uvu/assert';");
    expect(text).toContain("  assert.equal(label('a-1'), 'A-1');");
    expect(text).toContain("  assert.throws(() => label(''), /^empty$/);");
    expect(text).toContain("assert.unreachable('expected a rejection')");
    expect(text.trimEnd().endsWith('test.run();')).toBe(true);
  });

  it('mocha + chai: describe/it with expect().to.deep.equal, mocha + should: should().eql', () => {
    const chai = render({ framework: 'mocha', assertion: 'chai-expect', moduleSyntax: 'cjs' });
    expect(chai).toContain("const { expect } = require('chai');");
    expect(chai).toContain("describe('pricing.js', () => {\n  it('label', () => {\n    expect(label('a-1')).to.deep.equal('A-1');\n    expect(() => label('')).to.throw('empty');");
    expect(chai).toContain("expect(error).to.have.property('message', 'no items')");
    const should = render({ framework: 'mocha', assertion: 'should' });
    expect(should).toContain("import should from 'should';");
    expect(should).toContain("should(label('a-1')).eql('A-1');");
  });

  it('vitest and jest: expect().toEqual / toThrow / rejects, importing the API only where the tests do', () => {
    const vitest = render({ framework: 'vitest', assertion: 'expect', importsTestApi: true, language: 'ts', extension: '.ts' });
    expect(vitest).toContain("import { describe, expect, it } from 'vitest';");
    expect(vitest).toContain("expect(label('a-1')).toEqual('A-1');");
    expect(vitest).toContain("await expect(quote([])).rejects.toThrow('no items');");
    const jest = render({ framework: 'jest', assertion: 'expect', moduleSyntax: 'cjs' });
    expect(jest).not.toMatch(/require\('@jest\/globals'\)|from 'vitest'/);
    expect(jest).toContain("expect(() => label('')).toThrow('empty');");
  });
});
