import { analyseSourceText } from './source-facts.analyser';

const analyse = (path: string, text: string, complexityThreshold = 5) => analyseSourceText(path, text, { complexityThreshold });

describe('analyseSourceText', () => {
  it('measures cyclomatic complexity per function, nested functions on their own', () => {
    const facts = analyse(
      'src/a.ts',
      `
export function busy(a: number, b?: string) {
  if (a > 1 && b) return 1;
  for (const x of [1, 2]) { if (x) { continue; } }
  switch (a) { case 1: return 2; case 2: return 3; default: return b ?? 'x'; }
  const inner = (y: number) => (y > 0 ? (y > 10 ? 1 : 2) : 3);
}
export class Shop {
  price(n: number) { while (n > 0) { n -= 1; } try { return n || 1; } catch { return 0; } }
}
const simple = () => 1;
`,
      1,
    );
    expect(facts.complexFunctions).toEqual([
      // 1 + if + && + for-of + if + case + case + ??
      { name: 'busy', complexity: 8, line: 2 },
      { name: 'Shop.price', complexity: 4, line: 9 },
      { name: 'busy/inner', complexity: 3, line: 6 },
      { name: 'simple', complexity: 1, line: 11 },
    ]);
    expect(analyse('src/a.ts', 'export function busy(a){ if (a) return 1; return 2; }', 3).complexFunctions).toEqual([]);
  });

  it('finds exported functions and classes nothing documents', () => {
    const facts = analyse(
      'src/b.js',
      `
/** Documented. */
export function documented() {}
// A comment right above documents it too (a generator must not duplicate it).
export function lineCommented() {}
// ------------------------------------------------------------- decorative

export class Bare {}
/** An arrow. */
export const documentedArrow = () => 1;
export const bareArrow = () => 2;
export const notAFunction = 3;
function local() {}
/** Local but documented. */
function localDocumented() {}
export { local, localDocumented as renamed };
`,
    );
    expect(facts.undocumentedExports.map((e) => [e.name, e.kind])).toEqual([
      ['Bare', 'class'],
      ['bareArrow', 'function'],
      ['local', 'function'],
    ]);
    expect(facts.exportCount).toBe(8);
  });

  it('counts what the module itself exports, and names what it passes on from elsewhere', () => {
    const facts = analyse(
      'src/index.ts',
      `
import { a } from './a';
import b from './b';
import { external } from 'lib';
import { self } from 'my-package/sub';
export { a, b };
export * from './c';
export { d as dee } from './d';
export type { T } from './t';
export interface Shape { x: number }
export type Id = string;
export const own = 1;
export { external };
`,
    );
    expect(facts.exportCount).toBe(1);
    expect(facts.reExports).toEqual(['./a', './b', './c', './d', './t']);
    expect(facts.packageImports).toEqual(['lib', 'my-package/sub']);
    expect(facts.undocumentedExports).toEqual([]);
  });

  it('finds imports that are never used, counting uses in types and JSDoc', () => {
    const facts = analyse(
      'src/c.ts',
      `
import fs, { readFile, writeFile as write } from 'node:fs';
import * as path from 'node:path';
import type { Item } from './inventory';
import { Other } from './other';
import './side-effect';
/** @param {Other} o */
export function use(item: Item, o: unknown): string {
  return path.join(String(readFile), String(o), item.sku);
}
`,
    );
    expect(facts.unusedImports).toEqual([
      { name: 'fs', from: 'node:fs', line: 2 },
      { name: 'write', from: 'node:fs', line: 2 },
    ]);
    expect(facts.relativeImports).toEqual(['./inventory', './other', './side-effect']);
  });

  it('does not report React in JSX files, and reads CommonJS requires and exports', () => {
    expect(analyse('src/view.jsx', `import React from 'react';\nexport const View = () => <div/>;`).unusedImports).toEqual([]);
    const cjs = analyse('lib/x.cjs', `const a = require('./a');\nmodule.exports = { a };\nexports.b = 1;`);
    expect(cjs.relativeImports).toEqual(['./a']);
    expect(cjs.exportCount).toBe(2);
  });

  it('survives syntax errors and says so', () => {
    const facts = analyse('src/broken.ts', 'export function (', 1);
    expect(facts.syntaxErrors).toBeGreaterThan(0);
  });

  it('names the sample repository hot spot', () => {
    const facts = analyse(
      'src/shipping.js',
      `export function cost(s) {
  let c = 0;
  if (s.a === 1) { c = 1; } else if (s.a === 2) { c = 2; } else if (s.a === 3) { c = 3; } else { throw new Error(); }
  if (s.w > 3) { c += 1; } else if (s.w > 2) { c += 1; } else if (s.w > 1) { c += 1; }
  if (s.c !== 'US') { if (s.c === 'CA' || s.c === 'MX') { c += 1; } else { c += 2; } }
  if (s.f && s.a !== 3) { c += 1; }
  if (s.m && s.t >= 5 && s.a === 1) { c = 0; }
  return c;
}`,
      10,
    );
    expect(facts.complexFunctions).toEqual([{ name: 'cost', complexity: 15, line: 1 }]);
  });
});
