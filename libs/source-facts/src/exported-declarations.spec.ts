import ts from 'typescript';
import { attachedDocumentation, docCommentInsertionPoint, isDirectiveComment } from './attached-documentation';
import { exportedDeclarations } from './exported-declarations';

const parse = (text: string, path = 'x.ts') =>
  ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
const summary = (text: string, path?: string) =>
  exportedDeclarations(parse(text, path)).map((d) => `${d.kind} ${d.name}: ${d.documentation?.kind ?? 'none'}`);

describe('exported declarations and their documentation', () => {
  it('counts a JSDoc block on any overload or on the implementation', () => {
    const text = [
      '/** Parses a value. */',
      'export function parse(x: string): number;',
      'export function parse(x: number): number;',
      'export function parse(x: string | number): number {',
      '  return Number(x);',
      '}',
      'export function format(x: string): string;',
      '/** Formats a value. */',
      'export function format(x: string): string {',
      '  return x;',
      '}',
      'export function bare(x: string): string;',
      'export function bare(x: string): string {',
      '  return x;',
      '}',
    ].join('\n');
    expect(summary(text)).toEqual(['function parse: jsdoc', 'function format: jsdoc', 'function bare: none']);
    const [parseDecl] = exportedDeclarations(parse(text));
    expect(parseDecl.declarations).toHaveLength(3);
    expect(parseDecl.fn && ts.isFunctionDeclaration(parseDecl.fn) && parseDecl.fn.body).toBeTruthy();
  });

  it('sees a JSDoc block across directives, other comments and decorators', () => {
    const text = [
      'import { Injectable } from "@nestjs/common";',
      '/** A web writable stream. */',
      '// eslint-disable-next-line @typescript-eslint/no-explicit-any',
      'export function stream(x: any) { return x; }',
      '/** Reads. */',
      '/* istanbul ignore next */',
      '// @ts-expect-error -- typed elsewhere',
      'export const read = () => 1;',
      '/** A service. */',
      '@Injectable()',
      'export class Service {}',
      '@Injectable({ scope: 1 })',
      '/** Another service. */',
      'export class Other {}',
    ].join('\n');
    expect(summary(text)).toEqual(['function stream: jsdoc', 'function read: jsdoc', 'class Service: jsdoc', 'class Other: jsdoc']);
  });

  it('treats a plain comment right above as documentation, but not a section header, a trailing comment or a file header', () => {
    const text = [
      '/** @license MIT */',
      '',
      'export function first() {}',
      '// Sums the numbers.',
      '// eslint-disable-next-line no-var',
      'export function sum() {}',
      'const a = 1; // a trailing remark',
      'export function trailing() {}',
      '// ------------------------------------------------ section',
      '',
      'export function sectioned() {}',
      '// ------------',
      'export function decorated() {}',
      '// TODO: split this up',
      'export function todo() {}',
    ].join('\n');
    expect(summary(text)).toEqual(['function first: none', 'function sum: comment', 'function trailing: none', 'function sectioned: none', 'function decorated: none', 'function todo: none']);
  });

  it('lists a declaration once, and not re-exports of other modules', () => {
    const text = [
      "export { helper } from './helper';",
      "export * from './all';",
      "export * as ns from './ns';",
      "import { imported } from './imported';",
      'export { imported };',
      'function local() {}',
      'export { local, local as alias };',
      'export default local;',
      'export interface Shape { x: number }',
      'export type Id = string;',
      'export enum Colour { Red }',
      'export const LIMIT = 3;',
    ].join('\n');
    expect(summary(text)).toEqual(['function local: none', 'interface Shape: none', 'type Id: none', 'enum Colour: none', 'value LIMIT: none']);
  });

  it('finds anonymous default exports and JavaScript functions', () => {
    expect(summary('export default function (a) { return a; }\n', 'a.js')).toEqual(['function default: none']);
    expect(summary('/** Doubles. */\nexport default (a) => a * 2;\n', 'b.js')).toEqual(['function default: jsdoc']);
    expect(summary('export default class {}\n', 'c.js')).toEqual(['class default: none']);
  });

  it('recognises tool directives', () => {
    for (const directive of ['// eslint-disable-next-line', '/* eslint-disable no-console */', '// @ts-ignore', '/* istanbul ignore next */', '// prettier-ignore', '// biome-ignore lint: x', '/* c8 ignore next */', '/*#__PURE__*/', '/// <reference types="node" />']) {
      expect([directive, isDirectiveComment(directive)]).toEqual([directive, true]);
    }
    for (const prose of ['// Sums the numbers.', '/* The total. */', '/** @param x */']) expect([prose, isDirectiveComment(prose)]).toEqual([prose, false]);
  });

  it('returns the documentation text, so a generator can show what it left alone', () => {
    const source = parse('/** Keeps me. */\n// eslint-disable-next-line\nexport function f() {}\n');
    expect(attachedDocumentation(source.statements[0], source)).toMatchObject({ kind: 'jsdoc', text: '/** Keeps me. */', pos: 0 });
  });
});

describe('where a new doc comment goes', () => {
  it('goes above the directives directly over the declaration, else right before it', () => {
    const text = 'const a = 1;\n\n// eslint-disable-next-line no-console\n// @ts-ignore\nexport function f() {}\n\n// eslint-disable-next-line\n\nexport function g() {}\n';
    const source = parse(text);
    const [, f, g] = source.statements;
    expect(text.slice(docCommentInsertionPoint(f, source))).toMatch(/^\/\/ eslint-disable-next-line no-console\n\/\/ @ts-ignore\nexport function f/);
    expect(text.slice(docCommentInsertionPoint(g, source))).toMatch(/^export function g/);
  });
});
