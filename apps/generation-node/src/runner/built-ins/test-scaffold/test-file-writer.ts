import type { Outcome, RecordedCall, Recording } from './behaviour-recorder';
import { quote } from './sample-values';
import type { TestConventions } from './test-conventions';

/**
 * The text of a characterization test: every recorded call becomes an
 * assertion on what it returned (or threw) when the test was written —
 * the exact value when it was stable and can be written down, otherwise
 * its type. In the repository's framework and module syntax.
 */
export function renderTestFile(input: { sourceFile: string; specifier: string; recording: Recording; conventions: TestConventions }): string {
  const { recording, conventions } = input;
  const dialect = conventions.framework === 'node' ? nodeDialect : expectDialect;
  const imports = importLines(input.specifier, recording, conventions);
  const blocks: string[] = [];
  const taken = new Set([...recording.functions.map((f) => f.spec.localName), ...recording.classes.map((c) => c.spec.localName)]);

  for (const fn of recording.functions) {
    const lines: string[] = [];
    for (const call of fn.calls) lines.push(...assertion(`${fn.spec.localName}(${call.args.join(', ')})`, call, dialect));
    blocks.push(testBlock(fn.spec.localName, lines, fn.calls.some((c) => c.outcome.kind !== 'pending' && c.outcome.awaited)));
  }
  for (const cls of recording.classes) {
    const construct = `new ${cls.spec.localName}(${cls.constructorArgs.join(', ')})`;
    if (cls.constructorOutcome) {
      blocks.push(testBlock(cls.spec.localName, assertion(construct, cls.constructorOutcome, dialect), false));
      continue;
    }
    const instance = instanceName(cls.spec.localName, taken);
    const lines = [`const ${instance} = ${construct};`];
    for (const step of cls.steps) lines.push(...assertion(`${instance}.${step.method}(${step.args.join(', ')})`, step, dialect));
    if (cls.steps.length === 0) lines.push(...dialect.instanceOf(instance, cls.spec.localName));
    blocks.push(testBlock(cls.spec.localName, lines, cls.steps.some((s) => s.outcome.kind !== 'pending' && s.outcome.awaited)));
  }

  const header = [
    `// Characterization tests for ${input.sourceFile}, written by Autocode's test-scaffold`,
    '// generator: each expected value is what the module returned (or threw) when',
    '// the test was written, so a failure means its behaviour changed.',
  ];
  return [...header, ...imports, '', blocks.join('\n\n'), ''].join('\n');
}

interface Dialect {
  equal(actual: string, expected: string): string;
  typeOf(actual: string, type: string): string;
  className(actual: string, name: string): string;
  throws(call: string, outcome: Extract<Outcome, { kind: 'threw' }>, stable: boolean): string;
  rejects(call: string, outcome: Extract<Outcome, { kind: 'threw' }>, stable: boolean): string;
  instanceOf(instance: string, className: string): string[];
}

const nodeDialect: Dialect = {
  equal: (actual, expected) => `assert.deepStrictEqual(${actual}, ${expected});`,
  typeOf: (actual, type) => `assert.strictEqual(typeof ${actual}, ${quote(type)});`,
  className: (actual, name) => `assert.strictEqual(Object.getPrototypeOf(${actual}).constructor.name, ${quote(name)});`,
  throws: (call, outcome, stable) => `assert.throws(() => ${call}${errorMatcher(outcome, stable)});`,
  rejects: (call, outcome, stable) => `await assert.rejects(async () => ${call}${errorMatcher(outcome, stable)});`,
  instanceOf: (instance, className) => [`assert.ok(${instance} instanceof ${className});`],
};

const expectDialect: Dialect = {
  equal: (actual, expected) => `expect(${actual}).toStrictEqual(${expected});`,
  typeOf: (actual, type) => `expect(typeof ${actual}).toBe(${quote(type)});`,
  className: (actual, name) => `expect(Object.getPrototypeOf(${actual}).constructor.name).toBe(${quote(name)});`,
  throws: (call, outcome, stable) => `expect(() => ${call}).toThrow(${outcome.isError && stable ? quote(outcome.message) : ''});`,
  rejects: (call, outcome, stable) => `await expect((async () => ${call})()).rejects.toThrow(${outcome.isError && stable ? quote(outcome.message) : ''});`,
  instanceOf: (instance, className) => [`expect(${instance}).toBeInstanceOf(${className});`],
};

function errorMatcher(outcome: Extract<Outcome, { kind: 'threw' }>, stable: boolean): string {
  if (!outcome.isError) return '';
  return stable ? `, { name: ${quote(outcome.name)}, message: ${quote(outcome.message)} }` : `, { name: ${quote(outcome.name)} }`;
}

function assertion(call: string, recorded: RecordedCall, dialect: Dialect): string[] {
  const outcome = recorded.outcome;
  if (outcome.kind === 'pending') return [];
  if (outcome.kind === 'threw') return [outcome.awaited ? dialect.rejects(call, outcome, recorded.stable) : dialect.throws(call, outcome, recorded.stable)];
  const actual = outcome.awaited ? `await ${call}` : call;
  if (recorded.stable && outcome.literal !== undefined) return [dialect.equal(actual, outcome.literal)];
  // Unstable, or not writable as a literal: what can still be promised is its type (and class).
  if (!outcome.className) return [dialect.typeOf(`(${actual})`, outcome.typeOf)];
  return [`{`, `  const result = ${actual};`, `  ${dialect.typeOf('result', outcome.typeOf)}`, `  ${dialect.className('result', outcome.className)}`, `}`];
}

function testBlock(name: string, lines: string[], isAsync: boolean): string {
  return [`test(${quote(name)}, ${isAsync ? 'async ' : ''}() => {`, ...lines.map((l) => `  ${l}`), '});'].join('\n');
}

function importLines(specifier: string, recording: Recording, conventions: TestConventions): string[] {
  const exports = [...recording.functions.map((f) => f.spec), ...recording.classes.map((c) => c.spec)];
  const named = [...new Set(exports.filter((s) => s.exportName !== 'default').map((s) => s.exportName))].sort();
  const defaultExport = exports.find((s) => s.exportName === 'default');
  const lines: string[] = [];
  if (conventions.moduleSyntax === 'esm') {
    if (conventions.framework === 'node') lines.push("import { test } from 'node:test';", "import assert from 'node:assert/strict';");
    if (conventions.framework === 'vitest') lines.push("import { expect, test } from 'vitest';");
    if (conventions.framework === 'jest' && conventions.jestGlobalsImport) lines.push("import { expect, test } from '@jest/globals';");
    const bindings = [defaultExport?.localName, named.length ? `{ ${named.join(', ')} }` : undefined].filter(Boolean).join(', ');
    lines.push(`import ${bindings} from ${quote(specifier)};`);
  } else {
    if (conventions.framework === 'node') lines.push("const { test } = require('node:test');", "const assert = require('node:assert/strict');");
    if (conventions.framework === 'vitest') lines.push("const { expect, test } = require('vitest');");
    if (conventions.framework === 'jest' && conventions.jestGlobalsImport) lines.push("const { expect, test } = require('@jest/globals');");
    const bindings = [...named, ...(defaultExport ? [`default: ${defaultExport.localName}`] : [])];
    lines.push(`const { ${bindings.join(', ')} } = require(${quote(specifier)});`);
  }
  return lines;
}

function instanceName(className: string, taken: Set<string>): string {
  const base = className.charAt(0).toLowerCase() + className.slice(1);
  return base !== className && !taken.has(base) ? base : `a${className}`;
}
